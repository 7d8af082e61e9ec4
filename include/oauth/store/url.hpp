#ifndef OAUTH_STORE_URL_HPP
#define OAUTH_STORE_URL_HPP

#include <oauth/error.hpp>

#include <algorithm>
#include <string>
#include <string_view>

namespace oauth::store {

enum class StoreKind { memory, sqlite, postgres, redis };

/// Where tokens are kept, as configured by one string:
///   sqlite:tokens.db, sqlite:///var/lib/app/tokens.db   a file (the default kind)
///   postgresql://user@host:5432/db?schema=oauth          PostgreSQL, tables in `schema`
///   redis://:password@host:6379/0?prefix=oauth           Redis, keys under `prefix`
///   memory:                                              this process only: tests, demos
struct StoreUrl {
  StoreKind kind = StoreKind::sqlite;
  std::string location;   ///< the file, or the URL the database's client library reads
  std::string namespace_; ///< PostgreSQL schema or Redis key prefix; empty for the default

  static Result<StoreUrl> parse(std::string_view url) {
    auto const bad = [&](std::string_view why) {
      return Error(Errc::invalid_argument, "store URL: " + std::string(why) +
                                               " (sqlite:PATH, postgresql://..., redis://... or memory:)");
    };
    StoreUrl parsed;
    if (url == "memory:" || url == "memory") {
      parsed.kind = StoreKind::memory;
      return parsed;
    }
    if (url.starts_with("sqlite:")) {
      auto path = url.substr(7);
      if (path.starts_with("//")) path.remove_prefix(2);
      if (path.empty()) return bad("sqlite: needs a file path");
      parsed.kind = StoreKind::sqlite;
      parsed.location = path;
      return parsed;
    }
    std::string_view option;
    if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
      parsed.kind = StoreKind::postgres;
      option = "schema";
    } else if (url.starts_with("redis://")) {
      parsed.kind = StoreKind::redis;
      option = "prefix";
    } else {
      return bad("unknown kind");
    }
    // The namespace is ours, not the client library's: take it out of the query.
    std::string rest(url);
    if (auto query = rest.find('?'); query != std::string::npos) {
      std::string kept;
      std::string_view params = std::string_view(rest).substr(query + 1);
      while (!params.empty()) {
        auto const amp = params.find('&');
        auto const param = params.substr(0, amp);
        if (param.starts_with(std::string(option) + "=")) parsed.namespace_ = param.substr(option.size() + 1);
        else kept += (kept.empty() ? "" : "&") + std::string(param);
        if (amp == std::string_view::npos) break;
        params.remove_prefix(amp + 1);
      }
      rest = rest.substr(0, query) + (kept.empty() ? "" : "?" + kept);
    }
    parsed.location = std::move(rest);
    return parsed;
  }

  /// The store as a log may name it: any password in the URL replaced.
  std::string redacted() const {
    switch (kind) {
      case StoreKind::memory: return "memory:";
      case StoreKind::sqlite: return "sqlite:" + location;
      case StoreKind::postgres:
      case StoreKind::redis: break;
    }
    // scheme://[user[:password]@]host[:port][/path][?query], read the way the database's
    // client reads it (libpq knows no fragment: all after '?' is its query): the password
    // of the authority, and every query parameter named password, are what is replaced;
    // nothing else is touched.
    std::string_view const text = location;
    auto const authority = text.find("://");
    auto const start = authority == std::string_view::npos ? 0 : authority + 3;
    auto const authority_end = std::min(text.find_first_of("/?#", start), text.size());
    std::string out(text.substr(0, start));
    auto const userinfo_end = text.substr(0, authority_end).rfind('@');
    if (authority != std::string_view::npos && userinfo_end != std::string_view::npos && userinfo_end >= start) {
      auto const userinfo = text.substr(start, userinfo_end - start);
      auto const colon = userinfo.find(':');
      out += colon == std::string_view::npos ? userinfo : std::string(userinfo.substr(0, colon + 1)) + "[redacted]";
      out += text.substr(userinfo_end, authority_end - userinfo_end);
    } else {
      out += text.substr(start, authority_end - start);
    }
    auto const query = std::min(text.find('?', authority_end), text.size());
    out += text.substr(authority_end, query - authority_end);
    if (query < text.size()) {
      char separator = '?';
      for (auto params = text.substr(query + 1);;) {
        auto const param = params.substr(0, params.find('&'));
        out += separator;
        out += param.starts_with("password=") ? std::string_view("password=[redacted]") : param;
        separator = '&';
        if (param.size() == params.size()) break;
        params.remove_prefix(param.size() + 1);
      }
    }
    if (!namespace_.empty()) out += (out.find('?') == std::string::npos ? "?" : "&") +
                                    std::string(kind == StoreKind::postgres ? "schema=" : "prefix=") + namespace_;
    return out;
  }
};

}  // namespace oauth::store

#endif
