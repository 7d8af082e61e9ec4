// The access log's held lines: written many at a time, and never lost or reordered.

#include "access_log.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <thread>

namespace oauth::service {
namespace {

std::size_t lines_in(std::ostringstream const& out) {
  auto const text = out.str();
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

TEST(AccessLog, HeldLinesGoOutWithTheNextLineWrittenAtOnceAndInOrder) {
  std::ostringstream out;
  AccessLog log(out);
  log.hold("info", "request", {{"n", 1}});
  log.hold("info", "request", {{"n", 2}});
  EXPECT_EQ(lines_in(out), 0u);
  log.write("info", "stopped");
  ASSERT_EQ(lines_in(out), 3u);
  std::istringstream lines(out.str());
  std::string line;
  for (auto const* expected : {R"("n":1)", R"("n":2)", R"("event":"stopped")"}) {
    std::getline(lines, line);
    EXPECT_NE(line.find(expected), std::string::npos) << line;
  }
}

TEST(AccessLog, FlushWritesWhatIsHeld) {
  std::ostringstream out;
  AccessLog log(out);
  log.flush();
  EXPECT_EQ(out.str(), "");
  log.hold("info", "request");
  log.flush();
  EXPECT_EQ(lines_in(out), 1u);
}

TEST(AccessLog, NoMoreThan64KiBNorLinesOlderThan100MsAreHeld) {
  std::ostringstream out;
  AccessLog log(out);
  std::string const path(500, 'p');
  std::size_t held = 0;
  while (lines_in(out) == 0) {
    log.hold("info", "request", {{"path", path}});
    ++held;
    ASSERT_LT(held, 200u);
  }
  EXPECT_GE(out.str().size(), 64u * 1024);
  EXPECT_EQ(lines_in(out), held);

  std::ostringstream slow;
  AccessLog paced(slow);
  paced.hold("info", "request");
  std::this_thread::sleep_for(std::chrono::milliseconds(120));
  EXPECT_EQ(lines_in(slow), 0u);  // nothing writes on its own...
  paced.hold("info", "request");
  EXPECT_EQ(lines_in(slow), 2u);  // ...but the next line finds the first too old
}

TEST(AccessLog, WhatIsHeldIsWrittenWhenTheLogIsDestroyed) {
  std::ostringstream out;
  {
    AccessLog log(out);
    log.hold("info", "request");
  }
  EXPECT_EQ(lines_in(out), 1u);
}

}  // namespace
}  // namespace oauth::service
