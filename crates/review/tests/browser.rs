//! End to end through the review page in headless Chromium (Debian's `chromium`, driven
//! over WebDriver by Debian's `chromium-driver`): an editor assigns a claim to herself and
//! overrides it, an approver approves, and the API shows the result. The claim's article
//! holds `<script>` and HTML, which the page must show as text and never run.

mod support;

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use support::*;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const WAIT: Duration = Duration::from_secs(10);

/// Headless Chromium under chromedriver, with a fresh profile; both end when dropped.
struct Browser {
    client: Client,
    _driver: tokio::process::Child,
    _profile: tempfile::TempDir,
}

impl Browser {
    async fn launch() -> Browser {
        for (path, package) in [(CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")] {
            assert!(
                Path::new(path).exists(),
                "the browser test needs {path}: apt-get update && apt-get install -y chromium chromium-driver (missing: {package})"
            );
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = tokio::process::Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("chromedriver starts");
        let started = Instant::now();
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            assert!(
                started.elapsed() < WAIT,
                "chromedriver did not listen on {port}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let profile = tempfile::tempdir().unwrap();
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".to_owned(),
            json!({
                "binary": CHROMIUM,
                "args": [
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--disable-dev-shm-usage",
                    "--window-size=1280,1000",
                    format!("--user-data-dir={}", profile.path().display()),
                ]
            }),
        );
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("a Chromium session");
        Browser {
            client,
            _driver: driver,
            _profile: profile,
        }
    }

    async fn wait_for(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("waited for {css}: {e}"))
    }

    async fn click(&self, css: &str) {
        self.wait_for(css).await.click().await.unwrap();
    }

    async fn type_into(&self, css: &str, text: &str) {
        let field = self.wait_for(css).await;
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }

    /// Signs in on the page with `token` and waits until the page says it is `name`.
    async fn sign_in(&self, token: &str, name: &str) {
        self.type_into("#token", token).await;
        self.click("#save-token").await;
        self.wait_for(&format!("#whoami[data-name='{name}']")).await;
    }

    async fn script(&self, js: &str) -> serde_json::Value {
        self.client.execute(js, vec![]).await.unwrap()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_the_review_page_when_an_editor_overrides_and_an_approver_approves_then_the_api_shows_the_override_in_force(
) {
    postgres(|store| async move {
        let desk = Desk::issue(store.as_ref()).await;
        let body = "<h1>Results</h1>\n\n<p>Labour won by <script>window.__xss = 1</script><img src=x onerror=\"window.__xss = 2\"> 18,000 votes & more.</p>";
        let xss = Checked {
            article: "<b>xss</b>.html",
            body,
            quote: "<p>Labour won by <script>window.__xss = 1</script><img src=x onerror=\"window.__xss = 2\"> 18,000 votes & more.</p>",
            ..holborn_majority()
        };
        holborn_majority().store(store.as_ref()).await;
        let claim = xss.store(store.as_ref()).await;
        let server = Server::start(store.clone()).await;
        let browser = Browser::launch().await;

        // Given alice, an editor, opens the page and the claim
        browser.client.goto(&format!("{}/", server.base)).await.unwrap();
        browser.wait_for("body[data-ready='true']").await;
        browser.sign_in(&desk.alice, "alice").await;
        browser.click(&format!("#queue tbody tr[data-claim-id='{claim}']")).await;
        browser.wait_for("#claim-pane[data-version='0']").await;

        // Then the article's markup is shown as text, highlighted, and never run
        let quote = browser.wait_for("#claim-context mark.quote").await.text().await.unwrap();
        assert_eq!(quote, xss.quote);
        let figure = browser.wait_for("#claim-context mark.figure").await.text().await.unwrap();
        assert_eq!(figure, "18,000");
        let injected = browser
            .script("return [window.__xss === undefined, document.querySelectorAll('#claim-context :not(mark), #queue tbody :not(tr):not(td), #claim-facts :not(dt):not(dd), #history :not(li):not(time), script:not([src])').length];")
            .await;
        assert_eq!(injected, json!([true, 0]), "article markup reached the DOM");
        let row = browser
            .wait_for(&format!("#queue tbody tr[data-claim-id='{claim}']"))
            .await
            .text()
            .await
            .unwrap();
        assert!(row.contains("<b>xss</b>.html") && row.contains("<script>"), "{row}");

        // When she assigns it to herself and overrides it with a reason
        browser.click("#assign-me").await;
        browser.wait_for("#claim-pane[data-version='1']").await;
        browser.wait_for("#override-verdict").await.select_by_value("accurate").await.unwrap();
        browser.type_into("#override-reason", "The official figure was revised; the claim stands.").await;
        browser.click("#override").await;
        browser.wait_for("#claim-pane[data-status='awaiting_approval'][data-version='2']").await;

        // And bob, an approver, signs in on the same page and approves it
        browser.sign_in(&desk.bob, "bob").await;
        browser.wait_for("#approve:enabled").await;
        browser.click("#approve").await;
        browser.wait_for("#claim-pane[data-status='decided'][data-version='3']").await;
        let message = browser.wait_for("#message[data-state='ok']").await.text().await.unwrap();
        assert_eq!(message, "Override approved.");

        // Then the API shows the override in force, made by alice and approved by bob
        let view = server.claim(&claim, &desk.audrey).await;
        assert_eq!(view["review"]["status"], "decided");
        assert_eq!(view["review"]["assignee"], "alice");
        assert_eq!(view["effective_verdict"], "accurate");
        assert_eq!(view["verdict"], "inaccurate");
        let decision = &view["review"]["decision"];
        assert_eq!(decision["decision"], "override");
        assert_eq!(decision["by"], "alice");
        assert_eq!(decision["reason"], "The official figure was revised; the claim stands.");
        assert_eq!(decision["approved_by"], "bob");
        let events: Vec<&str> = view["history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["event"].as_str().unwrap())
            .collect();
        assert_eq!(
            events,
            ["claim.checked", "review.assigned", "review.decided", "review.override_approved"]
        );

        browser.client.close().await.unwrap();
        server.stop().await;
    })
    .await;
}
