#ifndef OAUTH_DETAIL_STORE_GROUP_COMMIT_HPP
#define OAUTH_DETAIL_STORE_GROUP_COMMIT_HPP

#include <oauth/detail/store/sql.hpp>
#include <oauth/error.hpp>
#include <oauth/store/unit_of_work.hpp>

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
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
///
/// Work may also be handed over whole (submit): it waits in the same line with no thread
/// held for it, and is told its outcome by the leader that commits it. A lane that such
/// work finds free gets a leader started by the work itself (DeferredWork::start_leader),
/// who leads transaction after transaction until nobody is in line.
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
    } else if (posted_ > 0) {
      // A leader started for work handed over has not begun yet, and may not for a while:
      // its thread may be one of those that wait here. This caller takes its lane.
      --posted_;
      ++overtaken_;
      job.lead = true;
    } else {
      job.woken.wait(lock, [&] { return job.outcome.has_value() || job.lead; });
      if (job.outcome) return outcome_of(job);
    }
    // This caller leads: the whole line is one transaction.
    auto batch = take_line(&job);
    lock.unlock();
    auto outcomes = commit(pool, batch);
    lock.lock();
    auto handed_over = deliver(batch, outcomes, &job);
    pass_lead(pool);
    lock.unlock();
    finish(handed_over);
    return outcome_of(job);
  }

  /// `work` in a shared transaction of `pool`'s, as run() runs a body, with no thread
  /// waiting for it: `work.finish` is told the outcome once committed, on the thread
  /// that led the commit. `wrap(connection, work)` runs the work on the transaction's
  /// connection. `keep` (the pool's owner, say) is kept alive by a leader started for it.
  template <class Pool, class Wrap>
  void submit(Pool& pool, Durability durability, oauth::store::DeferredWork& work, Wrap wrap,
              std::shared_ptr<void> const& keep) {
    auto job = std::make_unique<HandedOver<Wrap>>(std::move(wrap), work);
    job->durability = durability;
    job->keep = keep;
    std::lock_guard lock(mutex_);
    if (active_ < lanes_) {
      ++active_;
      ++posted_;
      try {
        // Under the lock, so the leader finds `work` in line, and nobody else commits and
        // finishes it before it is started.
        work.start_leader(leader(pool, job->keep));
      } catch (...) {
        --posted_;
        --active_;
        throw;
      }
    }
    line_.push_back(job.get());
    static_cast<void>(job.release());  // the line's now; its leader disposes of it
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
    /// Work handed over (submit), which no thread waits for: its leader tells it, then
    /// disposes of the job.
    oauth::store::DeferredWork* handed_over = nullptr;
    void (*dispose)(Job*) = nullptr;
    std::shared_ptr<void> keep = {};  ///< what its leader needs alive (submit)
  };

  /// A job of submit(): in line on the heap, owned by the line, then by its leader.
  template <class Wrap>
  struct HandedOver : Job {
    HandedOver(Wrap w, oauth::store::DeferredWork& work) : wrap(std::move(w)) {
      this->run = &call_wrapped;
      this->body = this;
      this->handed_over = &work;
      this->dispose = [](Job* job) { std::unique_ptr<HandedOver> const owned(static_cast<HandedOver*>(job)); };
    }
    static Result<void> call_wrapped(void* self, Connection& c) {
      auto& job = *static_cast<HandedOver*>(self);
      return job.wrap(c, *job.handed_over);
    }
    Wrap wrap;
  };

  /// A leader started by handed-over work: leads while anyone is in line.
  template <class Pool>
  std::function<void()> leader(Pool& pool, std::shared_ptr<void> keep) {
    return [this, &pool, keep = std::move(keep)] { lead_line(pool); };
  }

  template <class Pool>
  void lead_line(Pool& pool) {
    std::unique_lock lock(mutex_);
    if (overtaken_ > 0) {  // a caller of run() took this leader's lane meanwhile
      --overtaken_;
      return;
    }
    --posted_;
    while (!line_.empty()) {
      auto batch = take_line(nullptr);
      lock.unlock();
      auto outcomes = commit(pool, batch);
      lock.lock();
      auto handed_over = deliver(batch, outcomes, nullptr);
      lock.unlock();
      finish(handed_over);
      lock.lock();
    }
    --active_;
  }

  /// The whole line, taken by a leader (`self`, when a caller of run() leads). A lane
  /// handed to someone in it who has not woken yet is freed: their outcome comes with
  /// this one.
  std::vector<Job*> take_line(Job const* self) {
    std::vector<Job*> batch(line_.begin(), line_.end());
    line_.clear();
    for (auto* other : batch)
      if (other != self && other->lead) {
        other->lead = false;
        --active_;
      }
    return batch;
  }

  /// Each outcome to its job: a waiting caller is woken alone (the line waiting for the
  /// next commit sleeps on); work handed over is returned, to be told outside the lock.
  static std::vector<Job*> deliver(std::vector<Job*> const& batch, std::vector<Result<void>>& outcomes,
                                   Job const* self) {
    std::vector<Job*> handed_over;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      batch[i]->outcome = std::move(outcomes[i]);
      if (batch[i]->handed_over != nullptr)
        handed_over.push_back(batch[i]);
      else if (batch[i] != self)
        batch[i]->woken.notify_one();
    }
    return handed_over;
  }

  /// Tells work handed over its outcome, and frees its job.
  static void finish(std::vector<Job*> const& jobs) noexcept {
    for (auto* job : jobs) {
      job->handed_over->finish(std::move(*job->outcome), job->thrown);
      job->dispose(job);
    }
  }

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

  /// Gives this lane to the first caller in line who has none. When only work handed
  /// over waits, with no leader on its way, that work starts one in this lane. With
  /// nobody in line, frees it.
  template <class Pool>
  void pass_lead(Pool& pool) {
    for (auto* waiting : line_)
      if (waiting->handed_over == nullptr && !waiting->lead) {
        waiting->lead = true;
        waiting->woken.notify_one();
        return;
      }
    bool const led = std::any_of(line_.begin(), line_.end(), [](Job const* j) { return j->lead; });
    if (!line_.empty() && !led) try {
        ++posted_;
        line_.front()->handed_over->start_leader(leader(pool, line_.front()->keep));
        return;
      } catch (...) {
        // With no thread to lead it, the line waits for the next caller who finds a lane free.
        --posted_;
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
  std::size_t posted_ = 0;     ///< of the lanes active, those of leaders started but not yet begun
  std::size_t overtaken_ = 0;  ///< leaders started whose lanes callers of run() have taken
  Counts counts_;
};

}  // namespace oauth::detail::store

#endif
