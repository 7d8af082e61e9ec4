#ifndef OAUTH_CLOCK_HPP
#define OAUTH_CLOCK_HPP

#include <chrono>

namespace oauth {

using Clock = std::chrono::system_clock;
using TimePoint = Clock::time_point;

}  // namespace oauth

#endif
