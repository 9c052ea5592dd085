// SPDX-License-Identifier: Apache-2.0
// Basic credentials: parsed strictly, checked against bcrypt hashes off
// the caller's thread, remembered once good, and a bounded queue of
// checks however many guesses arrive.
#include "exporter/http/basic_auth.h"

#include <crypt.h>
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace pping {
namespace {

using namespace std::chrono_literals;

// A bcrypt hash of `password` at `cost` (4 is the least bcrypt allows).
std::string Hash(const std::string& password, int cost) {
  char salt[CRYPT_GENSALT_OUTPUT_SIZE];
  if (!crypt_gensalt_rn("$2b$", static_cast<unsigned long>(cost), nullptr, 0, salt, sizeof(salt))) return "";
  crypt_data data{};
  const char* hash = crypt_rn(password.c_str(), salt, &data, sizeof(data));
  return hash ? hash : "";
}

std::string Basic(const std::string& credentials) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < credentials.size(); i += 3) {
    uint32_t bits = static_cast<uint32_t>(static_cast<unsigned char>(credentials[i])) << 16;
    if (i + 1 < credentials.size()) bits |= static_cast<uint32_t>(static_cast<unsigned char>(credentials[i + 1])) << 8;
    if (i + 2 < credentials.size()) bits |= static_cast<unsigned char>(credentials[i + 2]);
    out += kAlphabet[(bits >> 18) & 63];
    out += kAlphabet[(bits >> 12) & 63];
    out += i + 1 < credentials.size() ? kAlphabet[(bits >> 6) & 63] : '=';
    out += i + 2 < credentials.size() ? kAlphabet[bits & 63] : '=';
  }
  return "Basic " + out;
}

// Collects results as the checking thread reports them.
class Results {
 public:
  std::function<void()> Waker() {
    return [this] {
      std::lock_guard lock(mu_);
      ++wakes_;
      cv_.notify_all();
    };
  }
  // The verdict on `ticket`, waiting for it up to 10 s.
  std::optional<bool> For(BasicAuth& auth, uint64_t ticket) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
      for (const auto& [t, allowed] : auth.TakeResults()) seen_[t] = allowed;
      if (seen_.contains(ticket)) return seen_[ticket];
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, 10ms);
    }
    return std::nullopt;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int wakes_ = 0;
  std::map<uint64_t, bool> seen_;
};

TEST(BasicCredentials, ParsedStrictly) {
  std::string user, password;
  ASSERT_TRUE(ParseBasicCredentials(Basic("prometheus:pa:ss word"), user, password));
  EXPECT_EQ(user, "prometheus");
  EXPECT_EQ(password, "pa:ss word") << "the first colon splits";
  ASSERT_TRUE(ParseBasicCredentials("basic " + Basic("a:").substr(6), user, password)) << "the scheme in any case";
  EXPECT_EQ(password, "");
  EXPECT_FALSE(ParseBasicCredentials("", user, password));
  EXPECT_FALSE(ParseBasicCredentials("Bearer abc", user, password));
  EXPECT_FALSE(ParseBasicCredentials("Basic", user, password));
  EXPECT_FALSE(ParseBasicCredentials(Basic("nocolon"), user, password));
  EXPECT_FALSE(ParseBasicCredentials("Basic YWJj", user, password)) << "'abc': no colon";
  EXPECT_FALSE(ParseBasicCredentials("Basic YTpi=", user, password)) << "not a multiple of four";
  EXPECT_FALSE(ParseBasicCredentials("Basic YT=i", user, password)) << "padding inside";
  EXPECT_FALSE(ParseBasicCredentials("Basic YTp!", user, password));
  EXPECT_FALSE(ParseBasicCredentials(Basic(std::string("a:pw\0x", 7)), user, password)) << "a NUL in the password";
}

TEST(BasicAuth, ChecksAgainstTheHashAndRemembersWhatPassed) {
  Results results;
  BasicAuth auth({{"prometheus", Hash("right", 4)}, {"other", Hash("x", 4)}}, results.Waker());
  EXPECT_EQ(auth.Check("", 1, "192.0.2.1"), BasicAuth::Verdict::kDenied);
  EXPECT_EQ(auth.Check("Bearer t", 2, "192.0.2.1"), BasicAuth::Verdict::kDenied);
  ASSERT_EQ(auth.Check(Basic("prometheus:wrong"), 3, "192.0.2.1"), BasicAuth::Verdict::kPending);
  EXPECT_EQ(results.For(auth, 3), false);
  ASSERT_EQ(auth.Check(Basic("nobody:right"), 4, "192.0.2.1"), BasicAuth::Verdict::kPending);
  EXPECT_EQ(results.For(auth, 4), false);
  ASSERT_EQ(auth.Check(Basic("other:right"), 5, "192.0.2.1"), BasicAuth::Verdict::kPending);
  EXPECT_EQ(results.For(auth, 5), false) << "another user's password";
  ASSERT_EQ(auth.Check(Basic("prometheus:right"), 6, "192.0.2.1"), BasicAuth::Verdict::kPending);
  EXPECT_EQ(results.For(auth, 6), true);
  EXPECT_EQ(auth.Check(Basic("prometheus:right"), 7, "192.0.2.1"), BasicAuth::Verdict::kAllowed) << "remembered";
  EXPECT_EQ(auth.Check(Basic("prometheus:wrong"), 8, "192.0.2.1"), BasicAuth::Verdict::kPending) << "failures are not";
  EXPECT_EQ(results.For(auth, 8), false);
}

// Slow checks (cost 12: a fraction of a second each) pile up: one client
// address has at most 4 waiting, all together at most 32; beyond, a guess
// is turned away at once. A scraper whose credentials passed before still
// passes at once, and one logging in for the first time, from its own
// address, gets a place.
TEST(BasicAuth, TheQueueOfChecksIsBoundedPerSourceAndInAll) {
  Results results;
  BasicAuth auth({{"prometheus", Hash("right", 12)}}, results.Waker());
  ASSERT_EQ(auth.Check(Basic("prometheus:right"), 1, "192.0.2.1"), BasicAuth::Verdict::kPending);
  ASSERT_EQ(results.For(auth, 1), true);
  int pending = 0;
  for (uint64_t ticket = 10; ticket < 30; ++ticket) {
    pending += auth.Check(Basic("prometheus:guess"), ticket, "198.51.100.7") == BasicAuth::Verdict::kPending;
  }
  EXPECT_LE(pending, 5) << "one source: 4 waiting, and maybe 1 already being checked";
  EXPECT_EQ(auth.Check(Basic("other:first"), 40, "203.0.113.9"), BasicAuth::Verdict::kPending)
      << "another address still gets a place";
  int busy = 0;
  pending = 0;
  for (uint64_t ticket = 100; ticket < 200; ++ticket) {
    const BasicAuth::Verdict v =
        auth.Check(Basic("prometheus:guess"), ticket, "198.51.100." + std::to_string(ticket - 90));
    busy += v == BasicAuth::Verdict::kBusy;
    pending += v == BasicAuth::Verdict::kPending;
  }
  EXPECT_GT(busy, 50);
  EXPECT_LE(pending, 34);
  EXPECT_EQ(auth.Check(Basic("prometheus:right"), 2, "192.0.2.1"), BasicAuth::Verdict::kAllowed);
  // Destroying it waits for the check under way, not for the queue.
}

TEST(BasicAuth, NewUsersKeepWhatPassedAgainstAnUnchangedHash) {
  Results results;
  const std::string hash = Hash("right", 4);
  BasicAuth auth({{"prometheus", hash}}, results.Waker());
  ASSERT_EQ(auth.Check(Basic("prometheus:right"), 1, "192.0.2.1"), BasicAuth::Verdict::kPending);
  ASSERT_EQ(results.For(auth, 1), true);
  auth.SetUsers({{"prometheus", hash}, {"grafana", Hash("g", 4)}});
  EXPECT_EQ(auth.Check(Basic("prometheus:right"), 2, "192.0.2.1"), BasicAuth::Verdict::kAllowed);
  auth.SetUsers({{"prometheus", Hash("changed", 4)}});
  ASSERT_EQ(auth.Check(Basic("prometheus:right"), 3, "192.0.2.1"), BasicAuth::Verdict::kPending);
  EXPECT_EQ(results.For(auth, 3), false) << "the old password no longer passes";
}

}  // namespace
}  // namespace pping
