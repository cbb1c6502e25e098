/* A newsletter issue's send progress in the admin (accounts/admin/issue_progress.html): polls the
 * page's own URL for JSON every 2 s while it sends. A static file, so no inline script is needed. */
(function poll() {
    fetch(window.location.href, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
        .then(function (response) { return response.json(); })
        .then(function (progress) {
            document.getElementById("issue-progress").value = progress.percent;
            ["status", "sent", "total", "failed", "claimed"].forEach(function (key) {
                document.querySelector("[data-" + key + "]").textContent = progress[key];
            });
            if (progress.status === "sending") { setTimeout(poll, 2000); }
        });
})();
