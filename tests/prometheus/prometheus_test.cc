// SPDX-License-Identifier: Apache-2.0
// What users run: a real Prometheus server (Debian's package) scraping the
// exporter in the namespace lab under real traffic. promtool checks the
// shipped config, rules and our exposition; then every PromQL expression in
// the dashboards and rules is evaluated through Prometheus' HTTP API and
// must return data — a panel or rule naming a metric that does not exist
// fails here.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/lab/command.h"
#include "tests/lab/lab.h"
#include "tests/prometheus/promql_sources.h"
#include "tests/support/http_get.h"
#include "tests/support/process.h"
#include "tests/support/root.h"
#include "tests/support/web_credentials.h"

namespace pping {
namespace {

using namespace std::chrono_literals;

std::string Runfile(const std::string& path) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  return srcdir && workspace ? std::string(srcdir) + "/" + workspace + "/" + path : path;
}

std::string TempDir() {
  const char* dir = std::getenv("TEST_TMPDIR");
  return dir ? dir : "/tmp";
}

constexpr char kScrapePassword[] = "scrape-s3cret";

// Writes a scrape config for the exporter at `target`, using the shipped
// rule files and a 1 s scrape/evaluation interval to get data quickly; and
// for the one at `secure_target` over HTTPS, with a client certificate and
// basic auth, as an operator configures Prometheus for the exporter toolkit.
std::string WritePrometheusConfig(const std::string& target, const std::string& secure_target,
                                  const testing::TestCertificates& certs) {
  const std::string path = TempDir() + "/prometheus.yml";
  std::ofstream(path) << "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                      << "rule_files:\n  - " << Runfile("config/pping_recording_rules.yml") << "\n  - "
                      << Runfile("config/pping_alert_rules.yml") << "\n"
                      << "scrape_configs:\n  - job_name: pping-exporter\n    static_configs:\n      - targets: [\""
                      << target << "\"]\n        labels:\n          node: lab\n"
                      << "  - job_name: pping-secure\n    scheme: https\n    tls_config:\n      ca_file: "
                      << certs.ca_cert << "\n      cert_file: " << certs.client_cert
                      << "\n      key_file: " << certs.client_key
                      << "\n    basic_auth:\n      username: prometheus\n      password: " << kScrapePassword
                      << "\n    static_configs:\n      - targets: [\"" << secure_target << "\"]\n";
  return path;
}

// The exporter toolkit's web config: TLS with client certificates from
// the test CA, and one basic-auth user.
std::string WriteWebConfig(const testing::TestCertificates& certs) {
  const std::string path = certs.dir + "/web.yml";
  std::ofstream(path) << "tls_server_config:\n  cert_file: " << certs.server_cert
                      << "\n  key_file: " << certs.server_key
                      << "\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: " << certs.ca_cert
                      << "\nbasic_auth_users:\n  prometheus: " << testing::BcryptHash(kScrapePassword) << "\n";
  return path;
}

class AgainstPrometheus : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (geteuid() != 0) return;
    lab_ = std::make_unique<Lab>(LabOptions{.name = "ppprom", .delay = 10ms, .traffic = {.dns = true}});
    exporter_port_ = testing::FreeLocalPort();
    exporter_ = std::make_unique<testing::Process>(testing::MonitoringExporterArgv(
        lab_->client_netns(), lab_->monitored_interface(), exporter_port_, {"--sampling.rate-limit", "10ms"}));
    // A second exporter, on the client's loopback, behind TLS and auth.
    const testing::TestCertificates certs = testing::MakeTestCertificates(TempDir());
    secure_port_ = testing::FreeLocalPort();
    secure_exporter_ = std::make_unique<testing::Process>(testing::MonitoringExporterArgv(
        lab_->client_netns(), "lo", secure_port_, {"--web.config.file", WriteWebConfig(certs)}));
    prometheus_port_ = testing::FreeLocalPort();
    const std::string data = TempDir() + "/prometheus-data";
    RunCommand({"rm", "-rf", data});
    prometheus_ = std::make_unique<testing::Process>(std::vector<std::string>{
        "prometheus",
        "--config.file=" + WritePrometheusConfig("127.0.0.1:" + std::to_string(exporter_port_),
                                                 "127.0.0.1:" + std::to_string(secure_port_), certs),
        "--storage.tsdb.path=" + data, "--web.listen-address=127.0.0.1:" + std::to_string(prometheus_port_),
        "--log.level=warn"});
    // Enough scrapes for rates, quantiles and chained recording rules.
    std::this_thread::sleep_for(25s);
  }

  static void TearDownTestSuite() {
    prometheus_.reset();
    secure_exporter_.reset();
    exporter_.reset();
    lab_.reset();
  }

  void SetUp() override {
    PPING_SKIP_UNLESS_ROOT();
    ASSERT_TRUE(prometheus_->Running()) << prometheus_->Output();
    ASSERT_TRUE(exporter_->Running()) << exporter_->Output();
  }

  // Result vector of an instant query; fails the test on an API error.
  static nlohmann::json Query(const std::string& promql) {
    const auto response = testing::HttpGet(prometheus_port_, "/api/v1/query?query=" + testing::UrlEncode(promql));
    if (!response) return nlohmann::json();
    const auto body = nlohmann::json::parse(response->body, nullptr, false);
    EXPECT_EQ(body.value("status", ""), "success") << promql << ": " << response->body;
    return body.contains("data") ? body["data"]["result"] : nlohmann::json();
  }

  static void ExpectData(const std::vector<testing::Expression>& expressions) {
    ASSERT_FALSE(expressions.empty());
    for (const auto& e : expressions) {
      const nlohmann::json result = Query(e.promql);
      EXPECT_TRUE(result.is_array() && !result.empty()) << e.origin << " returns no data: " << e.promql;
    }
  }

  static inline std::unique_ptr<Lab> lab_;
  static inline std::unique_ptr<testing::Process> exporter_;
  static inline std::unique_ptr<testing::Process> prometheus_;
  static inline std::unique_ptr<testing::Process> secure_exporter_;
  static inline int exporter_port_ = 0;
  static inline int secure_port_ = 0;
  static inline int prometheus_port_ = 0;
};

TEST_F(AgainstPrometheus, PromtoolAcceptsTheShippedConfigAndRules) {
  const auto config = RunCommand({"promtool", "check", "config", Runfile("config/prometheus.yml")});
  EXPECT_EQ(config.exit_code, 0) << config.output;
  const auto rules = RunCommand({"promtool", "check", "rules", Runfile("config/pping_recording_rules.yml"),
                                 Runfile("config/pping_alert_rules.yml")});
  EXPECT_EQ(rules.exit_code, 0) << rules.output;
}

TEST_F(AgainstPrometheus, PromtoolAcceptsTheExposition) {
  const auto metrics = testing::HttpGet(exporter_port_, "/metrics");
  ASSERT_TRUE(metrics);
  const std::string path = TempDir() + "/exposition.txt";
  std::ofstream(path) << metrics->body;
  const auto lint = RunCommand({"sh", "-c", "promtool check metrics < " + path});
  EXPECT_EQ(lint.exit_code, 0) << lint.output;
}

TEST_F(AgainstPrometheus, TheExporterIsScrapedAndHealthy) {
  const nlohmann::json up = Query("up{job=\"pping-exporter\"}");
  ASSERT_EQ(up.size(), 1u);
  EXPECT_EQ(up[0]["value"][1], "1");
  EXPECT_EQ(testing::HttpGet(exporter_port_, "/-/ready")->status, 200);
  EXPECT_EQ(testing::HttpGet(exporter_port_, "/-/healthy")->status, 200);
}

// Prometheus scrapes the exporter over TLS, with its client certificate
// and basic auth (and, as always, asking for gzip); a client without the
// credentials is refused.
TEST_F(AgainstPrometheus, ScrapesOverTlsWithClientCertificateAndBasicAuth) {
  ASSERT_TRUE(secure_exporter_->Running()) << secure_exporter_->Output();
  const nlohmann::json up = Query("up{job=\"pping-secure\"}");
  ASSERT_EQ(up.size(), 1u);
  EXPECT_EQ(up[0]["value"][1], "1") << secure_exporter_->Output();
  EXPECT_FALSE(Query("pping_exporter_build_info{job=\"pping-secure\"}").empty());
  EXPECT_NE(secure_exporter_->Output().find("serving metrics on https://127.0.0.1:"), std::string::npos);
  EXPECT_EQ(testing::HttpGet(secure_port_, "/metrics")->status, 400) << "plain HTTP to the TLS port";
  const nlohmann::json refused = Query("pping_exporter_http_unauthorized_requests_total{job=\"pping-secure\"}");
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0]["value"][1], "0") << "Prometheus' own scrapes all passed";
}

TEST_F(AgainstPrometheus, EveryDashboardExpressionReturnsData) {
  ExpectData(testing::DashboardExpressions(Runfile("dashboards/pping.json")));
}

TEST_F(AgainstPrometheus, EveryRuleExpressionReturnsData) {
  ExpectData(testing::RuleExpressions(Runfile("config/pping_recording_rules.yml")));
  ExpectData(testing::RuleExpressions(Runfile("config/pping_alert_rules.yml")));
}

TEST_F(AgainstPrometheus, RecordedMedianMatchesTheInjectedDelay) {
  const nlohmann::json p50 = Query("prefix:pping_rtt_seconds:p50_5m{prefix=\"192.0.2.0/24\", protocol=\"tcp\"}");
  ASSERT_EQ(p50.size(), 1u);
  EXPECT_NEAR(std::stod(p50[0]["value"][1].get<std::string>()), 0.010, 0.0015);
}

}  // namespace
}  // namespace pping
