#include "../support/minimal_provider.hpp"

#include <oauth/manager.hpp>
#include <oauth/store/memory.hpp>

#include <boost/asio/io_context.hpp>

// A provider without a token endpoint, listed in a Manager and used as one would: the one
// error names the member, not a constraint of the Manager's.
using Incomplete = oauth::test::ProviderWithoutTokenEndpoint;

void connect(oauth::TokenStore<oauth::store::MemoryBackend>& store) {
  boost::asio::io_context io;
  oauth::Manager<Incomplete> manager(io.get_executor(), store);
  (void)manager.configure<Incomplete>({});
}
