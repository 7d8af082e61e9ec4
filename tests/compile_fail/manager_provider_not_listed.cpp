#include <oauth/manager.hpp>
#include <oauth/providers/google.hpp>
#include <oauth/providers/notion.hpp>

// A manager of Google alone cannot start a Notion authorization.
auto start(oauth::Manager<oauth::providers::Google>& manager) {
  return manager.initiate_flow<oauth::providers::Notion>({});
}
