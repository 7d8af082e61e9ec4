#ifndef OAUTH_SERVICE_METRICS_HPP
#define OAUTH_SERVICE_METRICS_HPP

// The service's Prometheus metrics, in the text exposition format (version 0.0.4):
// requests and their latencies by route, requests to providers and their latencies by
// host, refreshes and provider failures by provider.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>

namespace oauth::service {

class Metrics {
public:
  void observe_request(std::string_view method, std::string_view route, unsigned status,
                       std::chrono::nanoseconds duration) {
    auto const seconds = std::chrono::duration<double>(duration).count();
    std::lock_guard lock(mutex_);
    auto counted = requests_.find(std::tuple{method, route, status});
    if (counted == requests_.end()) counted = requests_.emplace(std::tuple{method, route, status}, 0).first;
    ++counted->second;
    auto timed = latency_.find(route);
    if (timed == latency_.end()) timed = latency_.emplace(route, Histogram{}).first;
    timed->second.observe(seconds);
  }

  /// An exchange with a provider (token, userinfo, revocation or API), from its request
  /// sent to its answer read or its failure, by the provider's host.
  void observe_provider_request(std::string_view host, std::chrono::nanoseconds duration) {
    auto const seconds = std::chrono::duration<double>(duration).count();
    std::lock_guard lock(mutex_);
    auto timed = provider_latency_.find(host);
    if (timed == provider_latency_.end()) timed = provider_latency_.emplace(host, Histogram{}).first;
    timed->second.observe(seconds);
  }

  /// A refresh the service asked for or a token request caused: "ok" or the error's name.
  void count_refresh(std::string_view provider, std::string_view outcome) {
    std::lock_guard lock(mutex_);
    ++refreshes_[{std::string(provider), std::string(outcome)}];
  }

  /// A provider operation that failed (connect, refresh, token, revoke), by error name.
  void count_failure(std::string_view provider, std::string_view operation, std::string_view error) {
    std::lock_guard lock(mutex_);
    ++failures_[{std::string(provider), std::string(operation), std::string(error)}];
  }

  /// A check of the store and the key that /health requests shared.
  void count_health_check() { health_checks_.fetch_add(1); }

  void connection_opened() { open_connections_.fetch_add(1); }
  void connection_closed() { open_connections_.fetch_sub(1); }
  /// A connection closed at once: the service, or the client's address, had all it may.
  void connection_refused() { refused_connections_.fetch_add(1); }
  void count_rate_limited(std::string_view by) {
    std::lock_guard lock(mutex_);
    ++rate_limited_[std::string(by)];
  }

  std::string exposition() const {
    std::string out;
    std::lock_guard lock(mutex_);
    out +=
        "# HELP oauth_http_requests_total HTTP requests answered, by method, route and status.\n"
        "# TYPE oauth_http_requests_total counter\n";
    for (auto const& [key, count] : requests_)
      out += "oauth_http_requests_total{method=\"" + std::get<0>(key) + "\",route=\"" + escape(std::get<1>(key)) +
             "\",status=\"" + std::to_string(std::get<2>(key)) + "\"} " + std::to_string(count) + "\n";
    out +=
        "# HELP oauth_http_request_duration_seconds Time from a request's last byte read to its answer.\n"
        "# TYPE oauth_http_request_duration_seconds histogram\n";
    for (auto const& [route, histogram] : latency_)
      histogram.expose(out, "oauth_http_request_duration_seconds", "route=\"" + escape(route) + "\"");
    out +=
        "# HELP oauth_provider_request_duration_seconds Time from a request to a provider sent to its answer "
        "read, by host.\n"
        "# TYPE oauth_provider_request_duration_seconds histogram\n";
    for (auto const& [host, histogram] : provider_latency_)
      histogram.expose(out, "oauth_provider_request_duration_seconds", "host=\"" + escape(host) + "\"");
    out +=
        "# HELP oauth_refreshes_total Token refreshes, by provider and outcome.\n"
        "# TYPE oauth_refreshes_total counter\n";
    for (auto const& [key, count] : refreshes_)
      out += "oauth_refreshes_total{provider=\"" + key.first + "\",outcome=\"" + key.second + "\"} " +
             std::to_string(count) + "\n";
    out +=
        "# HELP oauth_provider_failures_total Operations against a provider that failed, by error.\n"
        "# TYPE oauth_provider_failures_total counter\n";
    for (auto const& [key, count] : failures_)
      out += "oauth_provider_failures_total{provider=\"" + std::get<0>(key) + "\",operation=\"" + std::get<1>(key) +
             "\",error=\"" + std::get<2>(key) + "\"} " + std::to_string(count) + "\n";
    out +=
        "# HELP oauth_rate_limited_total Requests refused with 429, by what was limited.\n"
        "# TYPE oauth_rate_limited_total counter\n";
    for (auto const& [by, count] : rate_limited_)
      out += "oauth_rate_limited_total{by=\"" + by + "\"} " + std::to_string(count) + "\n";
    out +=
        "# HELP oauth_health_checks_total Checks of the store and the key; concurrent /health requests share one.\n"
        "# TYPE oauth_health_checks_total counter\n"
        "oauth_health_checks_total " +
        std::to_string(health_checks_.load()) + "\n";
    out +=
        "# HELP oauth_http_open_connections Client connections open now.\n"
        "# TYPE oauth_http_open_connections gauge\n"
        "oauth_http_open_connections " +
        std::to_string(open_connections_.load()) + "\n";
    out +=
        "# HELP oauth_http_refused_connections_total Connections closed at once, over a connection cap.\n"
        "# TYPE oauth_http_refused_connections_total counter\n"
        "oauth_http_refused_connections_total " +
        std::to_string(refused_connections_.load()) + "\n";
    return out;
  }

private:
  static constexpr std::array<double, 12> bounds{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                 0.05,   0.1,   0.25,   0.5,   1.0,  2.5};
  struct Histogram {
    std::array<std::uint64_t, bounds.size()> buckets{};
    std::uint64_t count = 0;
    double sum = 0;

    void observe(double seconds) {
      for (std::size_t i = 0; i < bounds.size(); ++i)
        if (seconds <= bounds[i]) ++buckets[i];
      ++count;
      sum += seconds;
    }

    /// Its buckets, sum and count as `name`'s samples with `label`, appended to `out`.
    void expose(std::string& out, std::string_view name, std::string const& label) const {
      auto const sample = [&](std::string_view suffix, std::string const& labels, std::string const& value) {
        out.append(name).append(suffix).append("{").append(labels).append("} ").append(value).append("\n");
      };
      for (std::size_t i = 0; i < bounds.size(); ++i)
        sample("_bucket", label + ",le=\"" + format(bounds[i]) + "\"", std::to_string(buckets[i]));
      sample("_bucket", label + ",le=\"+Inf\"", std::to_string(count));
      sample("_sum", label, format(sum));
      sample("_count", label, std::to_string(count));
    }
  };

  static std::string format(double value) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.6g", value);
    return buffer;
  }
  static std::string escape(std::string const& value) {
    std::string out;
    for (char c : value) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    return out;
  }

  mutable std::mutex mutex_;
  /// Orders keys by their characters, owned or viewed: a request is counted without
  /// building strings for its key.
  struct ByViews {
    using is_transparent = void;
    template <class Key>
    static std::tuple<std::string_view, std::string_view, unsigned> views(Key const& key) {
      return {std::get<0>(key), std::get<1>(key), std::get<2>(key)};
    }
    template <class A, class B>
    bool operator()(A const& a, B const& b) const {
      return views(a) < views(b);
    }
  };

  std::map<std::tuple<std::string, std::string, unsigned>, std::uint64_t, ByViews> requests_;
  std::map<std::string, Histogram, std::less<>> latency_;
  std::map<std::string, Histogram, std::less<>> provider_latency_;
  std::atomic<std::uint64_t> health_checks_{0};
  std::map<std::pair<std::string, std::string>, std::uint64_t> refreshes_;
  std::map<std::tuple<std::string, std::string, std::string>, std::uint64_t> failures_;
  std::map<std::string, std::uint64_t> rate_limited_;
  std::atomic<long> open_connections_{0};
  std::atomic<std::uint64_t> refused_connections_{0};
};

}  // namespace oauth::service

#endif
