// What a store hands back as JSON (Redis keeps consents, audit events and cached
// resources so): the first line names the record ("consent", "audit", "resource"), the
// rest is its JSON. What reads writes back to JSON that reads the same.
#include "fuzz_input.hpp"

#include <oauth/store/record_json.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace {

template <class Read>
void round_trip(boost::json::value const& json, Read read) {
  auto record = read(json);
  if (!record) {
    oauth::fuzz::require(record.error() == oauth::Errc::store_failure, "a bad stored record is store_failure");
    oauth::fuzz::require(oauth::fuzz::printable(record.error().message()), "a record error is one printable line");
    return;
  }
  auto const written = boost::json::value(oauth::to_json(*record));
  auto again = read(written);
  oauth::fuzz::require(again.has_value(), "a written record reads back");
  oauth::fuzz::require(boost::json::serialize(oauth::to_json(*again)) == boost::json::serialize(written),
                       "a record reads back as it was written");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  auto const input = oauth::fuzz::named(oauth::fuzz::as_text(data, size));
  if (!input) return 0;
  auto const kind = input->name;
  boost::system::error_code ec;
  auto const json = boost::json::parse(input->rest, ec);
  if (ec) return 0;
  if (kind == "consent")
    round_trip(json, [](auto const& v) { return oauth::consent_from_json(v); });
  else if (kind == "audit")
    round_trip(json, [](auto const& v) { return oauth::audit_event_from_json(v); });
  else if (kind == "resource")
    round_trip(json, [](auto const& v) { return oauth::cached_resource_from_json(v); });
  return 0;
}
