#ifndef OAUTH_BENCHMARKS_INSTRUCTION_COUNT_HPP
#define OAUTH_BENCHMARKS_INSTRUCTION_COUNT_HPP

#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>

#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define OAUTH_BENCH_CALLGRIND 1
#endif

namespace oauth::bench {

/// Wall times on a shared machine swing by a third from run to run; instruction counts do
/// not. Under callgrind, the instructions a benchmark's timed loop runs, on every thread,
/// go into a dump of their own named "<name> items=<n>", which benchmarks/instructions.py
/// divides and sets beside the floor's. Outside callgrind it does nothing. Made just
/// before the loop, after the fixture, so that setting up is not counted.
class InstructionCount {
public:
  InstructionCount(benchmark::State& state, std::string name, std::int64_t items_per_iteration)
      : state_(state), name_(std::move(name)), items_per_iteration_(items_per_iteration) {
#ifdef OAUTH_BENCH_CALLGRIND
    if (RUNNING_ON_VALGRIND) CALLGRIND_ZERO_STATS;
#endif
  }
  InstructionCount(InstructionCount const&) = delete;
  InstructionCount& operator=(InstructionCount const&) = delete;
  ~InstructionCount() {
#ifdef OAUTH_BENCH_CALLGRIND
    if (RUNNING_ON_VALGRIND) {
      auto const label = name_ + " items=" + std::to_string(state_.iterations() * items_per_iteration_);
      CALLGRIND_DUMP_STATS_AT(label.c_str());
    }
#endif
  }

private:
  benchmark::State& state_;
  std::string name_;
  std::int64_t items_per_iteration_;
};

}  // namespace oauth::bench

#endif
