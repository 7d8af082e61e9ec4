// Fernet encrypt and decrypt against the floor: the raw OpenSSL work one token needs
// (16 random bytes, AES-128-CBC, HMAC-SHA256, URL-safe base64) with no framework around
// it: contexts made once, fixed buffers, no error values, no allocation per token.
//
// The ratio that matters is BM_Fernet*/N over BM_Floor*/N for the same N.

#include "fernet_floor.hpp"

#include <oauth/crypto/fernet.hpp>

#include <benchmark/benchmark.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using oauth::bench::Floor;

std::string const key = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=";

std::string payload_of(std::size_t size) { return std::string(size, 'p'); }

void BM_Floor_Encrypt(benchmark::State& state) {
  Floor floor;
  auto const payload = payload_of(static_cast<std::size_t>(state.range(0)));
  std::vector<unsigned char> out(8192);
  // The floor makes real Fernet tokens: the library must read them back.
  auto const length = floor.encrypt(reinterpret_cast<unsigned char const*>(payload.data()),
                                    static_cast<int>(payload.size()), 1'700'000'000, out.data());
  auto const fernet = oauth::crypto::Fernet::from_key(key).value();
  auto const check = fernet.decrypt(std::string(reinterpret_cast<char const*>(out.data()), length));
  if (!check || *check != payload) state.SkipWithError("the floor's token is not a Fernet token");
  for (auto _ : state) {
    auto n = floor.encrypt(reinterpret_cast<unsigned char const*>(payload.data()), static_cast<int>(payload.size()),
                           1'700'000'000, out.data());
    benchmark::DoNotOptimize(n);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}

void BM_Fernet_Encrypt(benchmark::State& state) {
  auto fernet = oauth::crypto::Fernet::from_key(key).value();
  auto const payload = payload_of(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    auto token = fernet.encrypt(payload);
    benchmark::DoNotOptimize(token);
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}

void BM_Floor_Decrypt(benchmark::State& state) {
  Floor floor;
  auto const payload = payload_of(static_cast<std::size_t>(state.range(0)));
  std::vector<unsigned char> token(8192), out(8192);
  auto const length = floor.encrypt(reinterpret_cast<unsigned char const*>(payload.data()),
                                    static_cast<int>(payload.size()), 1'700'000'000, token.data());
  for (auto _ : state) {
    auto n = floor.decrypt(token.data(), length, out.data());
    if (n != state.range(0)) state.SkipWithError("floor decrypt failed");
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}

void BM_Fernet_Decrypt(benchmark::State& state) {
  auto fernet = oauth::crypto::Fernet::from_key(key).value();
  auto const token = fernet.encrypt(payload_of(static_cast<std::size_t>(state.range(0)))).value();
  for (auto _ : state) {
    auto plaintext = fernet.decrypt(token);
    if (!plaintext) state.SkipWithError("fernet decrypt failed");
    benchmark::DoNotOptimize(plaintext);
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}

BENCHMARK(BM_Floor_Encrypt)->Arg(64)->Arg(256)->Arg(1024);
BENCHMARK(BM_Fernet_Encrypt)->Arg(64)->Arg(256)->Arg(1024);
BENCHMARK(BM_Floor_Decrypt)->Arg(64)->Arg(256)->Arg(1024);
BENCHMARK(BM_Fernet_Decrypt)->Arg(64)->Arg(256)->Arg(1024);

}  // namespace

BENCHMARK_MAIN();
