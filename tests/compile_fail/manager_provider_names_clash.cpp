#include <oauth/manager.hpp>
#include <oauth/providers/microsoft.hpp>
#include <oauth/store/memory.hpp>

// Two tenants of Microsoft are two types with one name: their callbacks and stored
// integrations could not be told apart.
using Clash = oauth::Manager<oauth::providers::Microsoft<"common">, oauth::providers::Microsoft<"contoso">>;

void make(boost::asio::any_io_executor executor, oauth::TokenStore<oauth::store::MemoryBackend>& store) {
  Clash manager(executor, store);
}
