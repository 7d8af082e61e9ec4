// The OAuth service: REST on port 8002 and a connect page, over the library's Manager
// and TokenStore. Configured by the environment and an optional JSON file (README).
//
//   oauth_service                              serve until SIGTERM or SIGINT
//   oauth_service --check-config               say whether the configuration is usable
//   oauth_service --list-routes                every route, one "METHOD PATH ACCESS" a line
//   oauth_service --dev-token TENANT USER [--server]
//                                              a bearer token for one user, valid one hour, signed
//                                              with OAUTH_JWT_SECRET (with --server, a server-to-server
//                                              one, OAUTH_SERVICE_TOKEN_SECRET); development mode only

#include "access_log.hpp"
#include "bearer_token.hpp"
#include "common/providers.hpp"
#include "config.hpp"
#include "http_server.hpp"
#include "service.hpp"

#include <oauth/detail/os/private_file.hpp>
#include <oauth/runtime.hpp>
#include <oauth/store/url.hpp>

#include <boost/asio/signal_set.hpp>

#include <sys/resource.h>

#include <fstream>
#include <future>
#include <iostream>
#include <string_view>

namespace {

using namespace oauth::service;

char const* access_name(Access access) {
  switch (access) {
    case Access::open: return "open";
    case Access::user: return "user";
    case Access::server: return "server";
  }
  return "?";
}

/// A thousand clients need a thousand descriptors; the soft limit is often 1024.
void raise_descriptor_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

int serve(ServiceConfig config) {
  std::ofstream log_file;
  if (!config.access_log.empty()) {
    // Made for its owner alone: it names who called and from where.
    oauth::detail::os::create_private_file(config.access_log);
    log_file.open(config.access_log, std::ios::app);
    if (!log_file) return std::cerr << "oauth_service: cannot open the access log " << config.access_log << '\n', 1;
  }
  AccessLog log(config.access_log.empty() ? std::cout : log_file);
  raise_descriptor_limit();
  unsigned const threads = config.threads != 0 ? config.threads : cores();
  oauth::Runtime runtime(threads);

  // Listening comes first: with port 0 the port is known only then, and the callback
  // URLs the providers are configured with depend on it.
  Service* service = nullptr;
  Metrics listener_metrics;
  HttpServer server(runtime.executor(), config.limits,
                    {[&](Request request, Peer peer) { return service->handle(std::move(request), std::move(peer)); },
                     [&](Refusal const& refusal, Peer const& peer) { return service->refused(refusal, peer); }},
                    listener_metrics);
  if (auto ec = server.listen(config.host, config.port)) {
    log.write("error", "start_failed",
              boost::json::object{{"reason", "cannot listen on " + config.host + ":" + std::to_string(config.port) +
                                                 ": " + ec.message()}});
    return 1;
  }
  if (config.public_url.empty()) config.public_url = default_public_url(config.host, server.port());
  if (config.return_urls.empty()) config.return_urls.push_back(config.connect_page_url());

  auto opened = Service::open(config, runtime.executor(), log, listener_metrics);
  if (auto* reason = std::get_if<std::string>(&opened)) {
    log.write("error", "start_failed", boost::json::object{{"reason", *reason}});
    return 1;
  }
  service = std::get<std::unique_ptr<Service>>(opened).get();
  server.start();
  log.write("info", "listening",
            boost::json::object{{"address", config.host},
                                {"port", server.port()},
                                {"public_url", config.public_url},
                                {"store", oauth::store::StoreUrl::parse(config.store_url)->redacted()},
                                {"development", config.development},
                                {"threads", threads},
                                {"store_threads", config.store_threads}});

  std::promise<bool> drained;
  boost::asio::signal_set signals(runtime.executor(), SIGTERM, SIGINT);
  signals.async_wait([&](boost::system::error_code ec, int signal) {
    if (ec) return;
    log.write("info", "shutting_down", boost::json::object{{"signal", signal == SIGTERM ? "SIGTERM" : "SIGINT"}});
    server.shutdown(config.shutdown_grace, [&](bool all) { drained.set_value(all); });
  });
  bool const clean = drained.get_future().get();
  log.write(clean ? "info" : "warning", "stopped", boost::json::object{{"drained", clean}});
  return clean ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  if (args.size() == 1 && args[0] == "--list-routes") {
    for (auto const& route : Service::routes())
      std::cout << route.method << ' ' << route.path << ' ' << access_name(route.access) << '\n';
    return 0;
  }
  auto loaded = load_config(oauth::examples::Providers::names());
  if (auto* problems = std::get_if<ConfigProblems>(&loaded)) {
    std::cerr << "oauth_service: refusing to start, the configuration is unsafe or unreadable:\n";
    for (auto const& problem : problems->problems) std::cerr << "  - " << problem << '\n';
    return 2;
  }
  auto& config = std::get<ServiceConfig>(loaded);
  if (args.size() == 1 && args[0] == "--check-config") {
    std::cout << "configuration ok: " << config.providers.size() << " provider(s), listening on " << config.host << ':'
              << config.port << ", " << config.store_threads << " store threads\n";
    return 0;
  }
  if ((args.size() == 3 || (args.size() == 4 && args[3] == "--server")) && args[0] == "--dev-token") {
    if (!config.development) {
      std::cerr << "oauth_service: --dev-token is for development mode only (OAUTH_DEVELOPMENT=1)\n";
      return 2;
    }
    bool const server = args.size() == 4;
    if (server && config.service_secret.empty()) {
      std::cerr << "oauth_service: --server needs OAUTH_SERVICE_TOKEN_SECRET\n";
      return 2;
    }
    std::cout << sign_bearer_for(args[1], args[2], server ? config.service_secret : config.bearer_secret,
                                 std::chrono::hours(1), config.bearer_rules)
              << '\n';
    return 0;
  }
  if (!args.empty()) {
    std::cerr << "usage: oauth_service [--check-config | --list-routes | --dev-token TENANT USER [--server]]\n";
    return 2;
  }
  return serve(std::move(config));
}
