#ifndef OAUTH_DETAIL_STORE_REDIS_CONNECTION_HPP
#define OAUTH_DETAIL_STORE_REDIS_CONNECTION_HPP

#include <oauth/detail/encoding/printable.hpp>
#include <oauth/error.hpp>

#include <hiredis/hiredis.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace oauth::detail::store {

struct ReplyDeleter {
  void operator()(redisReply* reply) const noexcept { freeReplyObject(reply); }
};
using RedisReply = std::unique_ptr<redisReply, ReplyDeleter>;

/// A Lua script run on the server, atomically: sent once, then named by its SHA-1.
struct RedisScript {
  std::string_view source;
};

/// One hiredis connection, used by one thread at a time.
class RedisConnection {
public:
  struct Endpoint {
    std::string host;
    int port = 6379;
    std::string password;
    int database = 0;
    std::chrono::milliseconds connect_timeout{5000};
    std::chrono::milliseconds command_timeout{10000};
  };

  static Result<std::unique_ptr<RedisConnection>> open(Endpoint const& endpoint) {
    auto const connect_tv = timeval_of(endpoint.connect_timeout);
    std::unique_ptr<RedisConnection> connection(
        new RedisConnection(redisConnectWithTimeout(endpoint.host.c_str(), endpoint.port, connect_tv)));
    if (connection->context_ == nullptr || connection->context_->err != 0)
      return Error(Errc::store_unavailable, "cannot connect to Redis at " + endpoint.host + ":" +
                                                std::to_string(endpoint.port) + ": " + connection->context_message());
    redisSetTimeout(connection->context_, timeval_of(endpoint.command_timeout));
    if (!endpoint.password.empty()) {
      auto authenticated = connection->command({"AUTH", endpoint.password});
      if (!authenticated) return Error(authenticated.error().code, "Redis refused the password");
    }
    if (endpoint.database != 0) {
      auto selected = connection->command({"SELECT", std::to_string(endpoint.database)});
      if (!selected) return selected.error();
    }
    return connection;
  }

  RedisConnection(RedisConnection const&) = delete;
  RedisConnection& operator=(RedisConnection const&) = delete;
  RedisConnection(RedisConnection&&) = delete;
  RedisConnection& operator=(RedisConnection&&) = delete;
  ~RedisConnection() {
    if (context_ != nullptr) redisFree(context_);
  }

  bool broken() const noexcept { return context_ == nullptr || context_->err != 0; }

  Result<RedisReply> command(std::vector<std::string_view> const& args) {
    std::vector<char const*> argv;
    std::vector<std::size_t> lengths;
    for (auto arg : args) {
      argv.push_back(arg.data());
      lengths.push_back(arg.size());
    }
    RedisReply reply(static_cast<redisReply*>(
        redisCommandArgv(context_, static_cast<int>(argv.size()), argv.data(), lengths.data())));
    return checked(std::move(reply));
  }

  /// Several commands in one round trip; their replies in order.
  Result<std::vector<RedisReply>> pipeline(std::vector<std::vector<std::string_view>> const& commands) {
    for (auto const& args : commands) {
      std::vector<char const*> argv;
      std::vector<std::size_t> lengths;
      for (auto arg : args) {
        argv.push_back(arg.data());
        lengths.push_back(arg.size());
      }
      if (redisAppendCommandArgv(context_, static_cast<int>(argv.size()), argv.data(), lengths.data()) != REDIS_OK)
        return lost();
    }
    std::vector<RedisReply> replies;
    for (std::size_t i = 0; i < commands.size(); ++i) {
      void* raw = nullptr;
      if (redisGetReply(context_, &raw) != REDIS_OK) return lost();
      auto reply = checked(RedisReply(static_cast<redisReply*>(raw)));
      if (!reply) return reply.error();
      replies.push_back(std::move(*reply));
    }
    return replies;
  }

  /// EVALSHA, falling back to EVAL when the server does not know the script yet (a new or
  /// restarted server).
  Result<RedisReply> eval(RedisScript const& script, std::vector<std::string_view> const& keys,
                          std::vector<std::string_view> const& args) {
    auto const& sha = sha_of(script);
    auto const key_count = std::to_string(keys.size());
    std::vector<std::string_view> call{"EVALSHA", sha, key_count};
    call.insert(call.end(), keys.begin(), keys.end());
    call.insert(call.end(), args.begin(), args.end());
    auto reply = command(call);
    if (reply || !reply.error().description.starts_with("Redis: NOSCRIPT")) return reply;
    call[0] = "EVAL";
    call[1] = script.source;
    return command(call);
  }

private:
  explicit RedisConnection(redisContext* context) : context_(context) {}

  static timeval timeval_of(std::chrono::milliseconds ms) {
    return {static_cast<time_t>(ms.count() / 1000), static_cast<suseconds_t>(ms.count() % 1000 * 1000)};
  }

  std::string context_message() const {
    if (context_ == nullptr) return "out of memory";
    return encoding::printable_line(context_->errstr);
  }

  Error lost() const { return Error(Errc::store_unavailable, "Redis connection lost: " + context_message()); }

  Result<RedisReply> checked(RedisReply reply) const {
    if (!reply || broken()) return lost();
    if (reply->type == REDIS_REPLY_ERROR) {
      std::string message(reply->str, reply->len);
      // A server loading its data or refusing writes is passing; anything else is not.
      auto const code = message.starts_with("LOADING") || message.starts_with("BUSY") ||
                                message.starts_with("MASTERDOWN") || message.starts_with("READONLY")
                            ? Errc::store_unavailable
                            : Errc::store_failure;
      return Error(code, "Redis: " + encoding::printable_line(message));
    }
    return reply;
  }

  std::string const& sha_of(RedisScript const& script) {
    auto found = shas_.find(script.source.data());
    if (found != shas_.end()) return found->second;
    std::array<unsigned char, SHA_DIGEST_LENGTH> digest{};
    EVP_Digest(script.source.data(), script.source.size(), digest.data(), nullptr, EVP_sha1(), nullptr);
    static constexpr char hex[] = "0123456789abcdef";
    std::string text;
    for (auto byte : digest) {
      text += hex[byte >> 4];
      text += hex[byte & 15];
    }
    return shas_.emplace(script.source.data(), std::move(text)).first->second;
  }

  redisContext* context_;
  std::unordered_map<char const*, std::string> shas_;
};

}  // namespace oauth::detail::store

#endif
