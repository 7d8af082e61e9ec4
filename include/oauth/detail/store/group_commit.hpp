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

/// Transactions that arrive together share one, and one commit (one fsync). Up to `lanes`
/// transactions run at once; whoever arrives while every lane is busy waits in line, and
/// the next leader takes the whole line as one transaction. Each caller's work runs in a
/// savepoint of its own, so one that fails is rolled back alone; every caller is told its
/// own outcome only once the transaction has committed, so no write is reported before
/// it is durable. A failed commit fails every write in it.
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
      changed_.wait(lock, [&] { return job.outcome.has_value() || job.lead; });
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
    for (std::size_t i = 0; i < batch.size(); ++i) batch[i]->outcome = std::move(outcomes[i]);
    pass_lead();
    changed_.notify_all();
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
    std::exception_ptr thrown = {};  ///< what its work threw, thrown again in its caller's thread
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
        return;
      }
    --active_;
  }

  template <class Pool>
  std::vector<Result<void>> commit(Pool& pool, std::vector<Job*> const& batch) {
    auto durability = Durability::relaxed;
    for (auto const* job : batch)
      if (job->durability == Durability::full) durability = Durability::full;
    bool const shared = batch.size() > 1;
    std::vector<Result<void>> outcomes;
    auto whole = pool.with_connection([&](Connection& c, bool& in_doubt) -> Result<void> {
      outcomes.assign(batch.size(), Result<void>());
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
      if (!shared && !outcomes[0]) {
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

  static Error abandon(Connection& c, Error reason) {
    c.rollback();
    return reason;
  }

  std::size_t const lanes_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Job*> line_;
  std::size_t active_ = 0;
  Counts counts_;
};

}  // namespace oauth::detail::store

#endif
