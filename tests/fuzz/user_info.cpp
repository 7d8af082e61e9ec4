// Who a provider says the user is. The first line names the reader: a built-in
// provider's name (its map_user_info over the JSON that follows), "notion-database" (a
// search result as a cached database) or "notion-id" (an id to normalise).
#include "builtin_provider.hpp"
#include "fuzz_input.hpp"

#include <oauth/providers/notion/databases.hpp>

#include <boost/json/parse.hpp>

namespace {

using oauth::fuzz::require;

std::optional<boost::json::object> object_of(std::string_view text) {
  boost::system::error_code ec;
  auto json = boost::json::parse(text, ec);
  if (ec || !json.is_object()) return std::nullopt;
  return std::move(json.get_object());
}

template <class P>
void user_info(boost::json::object const& json) {
  auto info = P::map_user_info(json);
  if (!info) {
    require(info.error() == oauth::Errc::invalid_user_info, "a bad identity is invalid_user_info");
    require(oauth::fuzz::printable(info.error().message()), "an identity error is one printable line");
    return;
  }
  require(!info->account_id.empty(), "a mapped identity names its account");
  if (info->workspace) require(!info->workspace->id.empty(), "a mapped workspace has an id");
}

void notion_id(std::string_view text) {
  auto const id = oauth::providers::notion::normalize_id(text);
  if (!id) return;
  require(id->size() == 36, "a Notion id is 8-4-4-4-12");
  for (std::size_t i = 0; i < id->size(); ++i) {
    char const c = (*id)[i];
    bool const hyphen = i == 8 || i == 13 || i == 18 || i == 23;
    require(hyphen ? c == '-' : ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')), "a Notion id is lowercase hex");
  }
  require(oauth::providers::notion::normalize_id(*id) == id, "a normalised id is its own normal form");
  std::string hex;
  for (char c : text)
    if (c != '-') hex += static_cast<char>(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c);
  std::string kept(*id);
  std::erase(kept, '-');
  require(hex == kept, "normalising keeps the id's digits");
}

void notion_database(boost::json::object const& json) {
  auto database = oauth::providers::notion::read_database(json);
  if (!database) return;
  require(oauth::providers::notion::normalize_id(database->id) == database->id, "a database's id is normalised");
  auto const cached = oauth::providers::notion::to_cached(*database);
  auto again = oauth::providers::notion::from_cached(cached);
  require(again.has_value(), "a cached database reads back");
  require(again->id == database->id && again->title == database->title && again->icon == database->icon &&
              again->database_id == database->database_id && again->properties == database->properties,
          "a cached database reads back as it was");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  auto const input = oauth::fuzz::named(oauth::fuzz::as_text(data, size));
  if (!input) return 0;
  auto const [reader, text] = *input;
  if (reader == "notion-id") return notion_id(text), 0;
  auto json = object_of(text);
  if (!json) return 0;
  if (reader == "notion-database") return notion_database(*json), 0;
  oauth::fuzz::with_builtin_provider(reader, [&](auto type) { user_info<typename decltype(type)::type>(*json); });
  return 0;
}
