// SPDX-License-Identifier: Apache-2.0
// HTTP basic authentication against bcrypt hashes. A bcrypt check takes
// tens of milliseconds by design, so it runs on a thread of its own: the
// event loop never waits for one, and a client sending wrong passwords
// delays only other unverified requests. Credentials that passed are
// remembered (as a SHA-256 digest, never in clear), so a scraper's
// repeated requests cost nothing after its first.
#pragma once

#include <array>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace pping {

class BasicAuth {
 public:
  enum class Verdict {
    kAllowed,  // known good credentials
    kDenied,   // none, malformed, or not Basic
    kPending,  // being checked: the result comes from TakeResults()
    kBusy,     // too many checks waiting: try again later
  };
  using Digest = std::array<unsigned char, 32>;

  // `users`: name to bcrypt hash. `wake` is called (from the checking
  // thread) when results are ready.
  BasicAuth(std::map<std::string, std::string> users, std::function<void()> wake);
  ~BasicAuth();
  BasicAuth(const BasicAuth&) = delete;
  BasicAuth& operator=(const BasicAuth&) = delete;

  // `authorization`: the header's value; `source`: the client's address.
  // A pending check is reported under `ticket`. One source may have only a
  // few checks waiting, so that one client's guesses cannot take every
  // place in the queue from a scraper logging in for the first time.
  Verdict Check(std::string_view authorization, uint64_t ticket, const std::string& source);
  // The checks finished since the last call: ticket and whether allowed.
  std::vector<std::pair<uint64_t, bool>> TakeResults();
  // Replaces the users. What passed is remembered with the hash it passed
  // against, so a changed password must pass anew and an unchanged one
  // need not. Checks under way end against the old users or the new.
  void SetUsers(std::map<std::string, std::string> users);

 private:
  struct Job {
    uint64_t ticket;
    std::string user, password;
    Digest digest;
    std::string source;
  };
  void Run();
  bool Verify(const std::string& user, const std::string& password);

  std::map<std::string, std::string> users_;  // under mu_ (read by the checking thread)
  const std::function<void()> wake_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;
  std::vector<std::pair<uint64_t, bool>> results_;
  std::set<Digest> passed_;
  std::map<std::string, unsigned> queued_by_source_;
  bool stopping_ = false;
  std::thread thread_;
};

// The user and password of a "Basic" Authorization value; false when it
// is not one (another scheme, bad base64, no colon).
bool ParseBasicCredentials(std::string_view authorization, std::string& user, std::string& password);

}  // namespace pping
