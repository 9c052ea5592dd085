// SPDX-License-Identifier: Apache-2.0
#include "exporter/http/basic_auth.h"

#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <spdlog/spdlog.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <memory>

#include "exporter/util/thread_privileges.h"

namespace pping {
namespace {

// Checks waiting at most; beyond, a request is answered 503 at once, so
// a flood of guesses costs a bounded queue, not memory or a backlog that
// delays a genuine scraper's first request for minutes.
constexpr size_t kMaxQueued = 32;
// Checks one client address may have waiting at most.
constexpr unsigned kMaxQueuedPerSource = 4;
// Credentials remembered as good at most; past it the memory starts over.
constexpr size_t kMaxRemembered = 256;

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Standard base64 with its padding, strictly: anything else is not one.
bool DecodeBase64(std::string_view in, std::string& out) {
  if (in.size() % 4 != 0) return false;
  out.clear();
  for (size_t i = 0; i < in.size(); i += 4) {
    int v[4];
    int pad = 0;
    for (int j = 0; j < 4; ++j) {
      const char c = in[i + static_cast<size_t>(j)];
      if (c == '=' && i + 4 == in.size() && j >= 2) {
        v[j] = 0;
        ++pad;
        continue;
      }
      if (pad > 0 || (v[j] = Base64Value(c)) < 0) return false;
    }
    const uint32_t bits = (static_cast<uint32_t>(v[0]) << 18) | (static_cast<uint32_t>(v[1]) << 12) |
                          (static_cast<uint32_t>(v[2]) << 6) | static_cast<uint32_t>(v[3]);
    out.push_back(static_cast<char>(bits >> 16));
    if (pad < 2) out.push_back(static_cast<char>((bits >> 8) & 0xff));
    if (pad < 1) out.push_back(static_cast<char>(bits & 0xff));
  }
  return true;
}

// False if it cannot be computed: nothing is then remembered or matched.
bool DigestOf(const std::string& user, const std::string& password, const std::string& hash,
              BasicAuth::Digest& digest) {
  std::string material = user;
  material.push_back('\0');
  material += password;
  material.push_back('\0');
  material += hash;
  unsigned int length = 0;
  const bool done = EVP_Digest(material.data(), material.size(), digest.data(), &length, EVP_sha256(), nullptr) == 1 &&
                    length == digest.size();
  OPENSSL_cleanse(material.data(), material.size());
  return done;
}

}  // namespace

bool ParseBasicCredentials(std::string_view authorization, std::string& user, std::string& password) {
  const size_t space = authorization.find(' ');
  if (space != 5) return false;
  for (size_t i = 0; i < 5; ++i) {
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != "basic"[i]) return false;
  }
  std::string_view encoded = authorization.substr(space + 1);
  while (!encoded.empty() && encoded.front() == ' ') encoded.remove_prefix(1);
  std::string decoded;
  if (!DecodeBase64(encoded, decoded)) return false;
  const size_t colon = decoded.find(':');
  // A NUL would end the password where crypt(3) reads it: "pw\0x" is not "pw".
  if (colon == std::string::npos || decoded.find('\0') != std::string::npos) return false;
  user = decoded.substr(0, colon);
  password = decoded.substr(colon + 1);
  return true;
}

BasicAuth::BasicAuth(std::map<std::string, std::string> users, std::function<void()> wake)
    : users_(std::move(users)), wake_(std::move(wake)) {
  thread_ = std::thread([this] {
    if (!BecomeUnprivilegedThread("pping-auth")) {
      spdlog::warn("web: the authentication thread keeps its capabilities: {}", std::strerror(errno));
    }
    Run();
  });
}

BasicAuth::~BasicAuth() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

BasicAuth::Verdict BasicAuth::Check(std::string_view authorization, uint64_t ticket, const std::string& source) {
  Job job{ticket, {}, {}, {}, source};
  if (!ParseBasicCredentials(authorization, job.user, job.password)) return Verdict::kDenied;
  std::lock_guard lock(mu_);
  const auto known = users_.find(job.user);
  if (!DigestOf(job.user, job.password, known == users_.end() ? "" : known->second, job.digest)) {
    return Verdict::kDenied;
  }
  if (known != users_.end() && passed_.contains(job.digest)) return Verdict::kAllowed;
  unsigned& from_source = queued_by_source_[source];
  if (queue_.size() >= kMaxQueued || from_source >= kMaxQueuedPerSource) {
    if (from_source == 0) queued_by_source_.erase(source);
    return Verdict::kBusy;
  }
  ++from_source;
  queue_.push_back(std::move(job));
  cv_.notify_one();
  return Verdict::kPending;
}

std::vector<std::pair<uint64_t, bool>> BasicAuth::TakeResults() {
  std::lock_guard lock(mu_);
  return std::exchange(results_, {});
}

void BasicAuth::SetUsers(std::map<std::string, std::string> users) {
  std::lock_guard lock(mu_);
  users_ = std::move(users);
}

// An unknown user costs the same bcrypt check as a known one (against
// another user's hash), so that the time taken does not tell which user
// names exist.
bool BasicAuth::Verify(const std::string& user, const std::string& password) {
  std::string hash;
  bool known = false;
  {
    std::lock_guard lock(mu_);
    if (users_.empty()) return false;
    const auto found = users_.find(user);
    known = found != users_.end();
    hash = known ? found->second : users_.begin()->second;
  }
  auto data = std::make_unique<crypt_data>();
  const char* computed = crypt_rn(password.c_str(), hash.c_str(), data.get(), sizeof(*data));
  const bool match = computed != nullptr && std::strlen(computed) == hash.size() &&
                     CRYPTO_memcmp(computed, hash.data(), hash.size()) == 0;
  OPENSSL_cleanse(data.get(), sizeof(*data));
  return match && known;
}

void BasicAuth::Run() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
      // The source may queue another while this one is checked.
      if (const auto it = queued_by_source_.find(job.source); it != queued_by_source_.end() && --it->second == 0) {
        queued_by_source_.erase(it);
      }
    }
    const bool allowed = Verify(job.user, job.password);
    OPENSSL_cleanse(job.password.data(), job.password.size());
    {
      std::lock_guard lock(mu_);
      if (allowed) {
        if (passed_.size() >= kMaxRemembered) passed_.clear();
        passed_.insert(job.digest);
      }
      results_.emplace_back(job.ticket, allowed);
    }
    wake_();
  }
}

}  // namespace pping
