#ifndef OAUTH_DETAIL_STORE_GROUP_COMMIT_HPP
#define OAUTH_DETAIL_STORE_GROUP_COMMIT_HPP

#include <oauth/detail/store/sql.hpp>
#include <oauth/error.hpp>

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

namespace oauth::detail::store {

/// Which pass of a shared transaction this thread is running (GroupCommit). The first
/// runs every write bare, with no savepoint around it or the calls inside it: a write
/// that fails there cannot be undone alone, so it spoils the pass, which is rolled back
/// and run again with a savepoint around each write and each call (the second pass).
struct BarePass {
  bool spoiled = false;
};

/// The bare pass this thread is running, if any.
inline BarePass*& bare_pass() noexcept {
  // NOLINTNEXTLINE(cppcoreguidelines-avoid-non-const-global-variables): a call marks the pass it spoils
  static thread_local BarePass* current = nullptr;
  return current;
}

/// Transactions that arrive together share one, and one commit (one fsync). Up to `lanes`
/// transactions run at once; whoever arrives while every lane is busy waits in line, and
/// the next leader takes the whole line as one transaction. Every caller is told its own
/// outcome only once the transaction has committed, so no write is reported before it is
/// durable. A failed commit fails every write in it.
///
/// A write that fails is rolled back alone. Writes seldom fail, so the transaction first
/// runs them all bare (BarePass): a savepoint costs a statement to open and one to close
/// (a round trip each on PostgreSQL) and a copy of every page it touches. Only when one
/// fails is the transaction run again, each write in a savepoint of its own: a write's
/// work may run twice, and is told nothing until the transaction that counts commits.
///
/// Under no load a caller leads at once and waits for nobody: the line forms only while
/// a commit is under way.
template <class Connection>
class GroupCommit {
public:
  explicit GroupCommit(std::size_t lanes) : lanes_(lanes == 0 ? 1 : lanes) {}

  /// `body(connection)` in a shared transaction of `pool`'s; its outcome once committed.
  /// The transaction is as durable as the most durable work in it.
  template <class Pool, class F>
  Result<void> run(Pool& pool, Durability durability, F& body) {
    Job job{&call<F>, &body, durability};
    std::unique_lock lock(mutex_);
    line_.push_back(&job);
    if (active_ < lanes_) {
      ++active_;
      job.lead = true;
    } else {
      job.woken.wait(lock, [&] { return job.outcome.has_value() || job.lead; });
      if (job.outcome) return outcome_of(job);
    }
    // This caller leads: the whole line is one transaction. A lane handed to someone in it
    // who has not woken yet is freed: their outcome comes with this one.
    std::vector<Job*> batch(line_.begin(), line_.end());
    line_.clear();
    for (auto* other : batch)
      if (other != &job && other->lead) {
        other->lead = false;
        --active_;
      }
    lock.unlock();
    auto outcomes = commit(pool, batch);
    lock.lock();
    // Each is woken alone: the line waiting for the next commit sleeps on.
    for (std::size_t i = 0; i < batch.size(); ++i) {
      batch[i]->outcome = std::move(outcomes[i]);
      if (batch[i] != &job) batch[i]->woken.notify_one();
    }
    pass_lead();
    return outcome_of(job);
  }

  /// Transactions committed (or tried), and writes they held: how much was shared.
  struct Counts {
    std::size_t transactions = 0;
    std::size_t writes = 0;
  };
  Counts counts() const {
    std::lock_guard lock(mutex_);
    return counts_;
  }

private:
  struct Job {
    Result<void> (*run)(void*, Connection&) = nullptr;
    void* body = nullptr;
    Durability durability = Durability::full;
    bool lead = false;
    std::optional<Result<void>> outcome = {};
    std::exception_ptr thrown = {};      ///< what its work threw, thrown again in its caller's thread
    std::condition_variable woken = {};  ///< when it is to lead, or its outcome is in
  };

  static Result<void> outcome_of(Job& job) {
    if (job.thrown) std::rethrow_exception(job.thrown);
    return std::move(*job.outcome);
  }

  /// One write's work; one that throws is a failed write here, and throws in its caller.
  static Result<void> attempt(Job& job, Connection& c) {
    job.thrown = nullptr;
    try {
      return job.run(job.body, c);
    } catch (...) {
      job.thrown = std::current_exception();
      return Error(Errc::store_failure, "a write of the store threw");
    }
  }

  template <class F>
  static Result<void> call(void* body, Connection& c) {
    return (*static_cast<F*>(body))(c);
  }

  /// Gives this lane to the first in line who has none; with nobody in line, frees it.
  void pass_lead() {
    for (auto* waiting : line_)
      if (!waiting->lead) {
        waiting->lead = true;
        waiting->woken.notify_one();
        return;
      }
    --active_;
  }

  template <class Pool>
  std::vector<Result<void>> commit(Pool& pool, std::vector<Job*> const& batch) {
    auto durability = Durability::relaxed;
    for (auto const* job : batch)
      if (job->durability == Durability::full) durability = Durability::full;
    std::vector<Result<void>> outcomes;
    auto whole = pool.with_connection([&](Connection& c, bool& in_doubt) -> Result<void> {
      auto bare = run_bare(c, batch, durability, outcomes);
      if (!bare) return bare.error();
      if (!*bare)
        if (auto careful = run_in_savepoints(c, batch, durability, outcomes); !careful) return careful.error();
      if (batch.size() == 1 && !outcomes[0]) {
        c.rollback();
        return {};
      }
      if (auto committed = c.commit(); !committed) {
        in_doubt = c.broken();
        c.rollback();
        return committed.error();
      }
      return {};
    });
    {
      std::lock_guard lock(mutex_);
      ++counts_.transactions;
      counts_.writes += batch.size();
    }
    if (!whole)
      for (auto& outcome : outcomes)
        if (outcome) outcome = whole.error();
    if (outcomes.size() != batch.size()) outcomes.assign(batch.size(), whole.error());
    return outcomes;
  }

  /// Every write of `batch` in one transaction, none in a savepoint: whether that stands
  /// (true), or a write failed and the transaction is rolled back to go again in
  /// savepoints (false). One write alone that fails stands: there is nothing to keep apart.
  static Result<bool> run_bare(Connection& c, std::vector<Job*> const& batch, Durability durability,
                               std::vector<Result<void>>& outcomes) {
    outcomes.assign(batch.size(), Result<void>());
    if (auto begun = c.begin(durability); !begun) return begun.error();
    BarePass pass;
    struct Enter {
      BarePass* outer;
      explicit Enter(BarePass& pass) : outer(std::exchange(bare_pass(), &pass)) {}
      Enter(Enter const&) = delete;
      Enter& operator=(Enter const&) = delete;
      Enter(Enter&&) = delete;
      Enter& operator=(Enter&&) = delete;
      ~Enter() { bare_pass() = outer; }
    } enter{pass};
    for (std::size_t i = 0; i < batch.size(); ++i) {
      outcomes[i] = attempt(*batch[i], c);
      if (c.broken()) return abandon(c, outcomes[i] ? Error(Errc::store_unavailable) : outcomes[i].error());
      if (pass.spoiled || (!outcomes[i] && batch.size() > 1)) {
        c.rollback();
        return false;
      }
    }
    return true;
  }

  /// Every write of `batch` in one transaction, each in a savepoint of its own when there
  /// are others to keep.
  static Result<void> run_in_savepoints(Connection& c, std::vector<Job*> const& batch, Durability durability,
                                        std::vector<Result<void>>& outcomes) {
    outcomes.assign(batch.size(), Result<void>());
    bool const shared = batch.size() > 1;
    if (auto begun = c.begin(durability); !begun) return begun.error();
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (shared)
        if (auto saved = c.execute_statement("SAVEPOINT oauth_write"); !saved) return abandon(c, saved.error());
      outcomes[i] = attempt(*batch[i], c);
      if (c.broken()) return abandon(c, outcomes[i] ? Error(Errc::store_unavailable) : outcomes[i].error());
      if (!shared) continue;
      if (!outcomes[i])
        if (auto undone = c.execute_statement("ROLLBACK TO SAVEPOINT oauth_write"); !undone)
          return abandon(c, undone.error());
      if (auto released = c.execute_statement("RELEASE SAVEPOINT oauth_write"); !released)
        return abandon(c, released.error());
    }
    return {};
  }

  static Error abandon(Connection& c, Error reason) {
    c.rollback();
    return reason;
  }

  std::size_t const lanes_;
  mutable std::mutex mutex_;
  std::deque<Job*> line_;
  std::size_t active_ = 0;
  Counts counts_;
};

}  // namespace oauth::detail::store

#endif
