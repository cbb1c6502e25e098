/* The site's start-up script: runs the initialisers a page names in <body data-init="...">.
 * Pages once did this from an inline <script>; the Content-Security-Policy forbids inline script
 * (home/csp.py), so the names are data and the code lives here, in one static file. */
(function () {
    "use strict";

    function call(path, args) {
        // Oscar's ui.js may not define every namespace (wishlists moved between releases): skip quietly.
        var target = window;
        var parts = path.split(".");
        for (var i = 0; i < parts.length; i++) {
            target = target && target[parts[i]];
        }
        if (typeof target === "function") {
            target.apply(null, args || []);
        }
    }

    var initialisers = {
        // every storefront page (templates/oscar/layout.html)
        "oscar": function () { call("oscar.init"); },
        // the basket reloads its lines from its own URL after a change
        "oscar.basket": function () { call("oscar.basket.init", [{basketURL: window.location.pathname}]); },
        "oscar.search": function () { call("oscar.search.init"); },
        "oscar.checkout.gateway": function () { call("oscar.checkout.gateway.init"); },
        "oscar.notifications": function () { call("oscar.notifications.init"); },
        "oscar.customer.wishlists": function () { call("oscar.customer.wishlists.init"); }
    };

    // django-scheduler's per-event colour (events/templates/schedule/_daily_table.html), once a style
    // attribute: set through the CSSOM, which the Content-Security-Policy does not govern, and only
    // when it is a plain hex colour.
    function paintEventColours() {
        document.querySelectorAll("[data-event-color]").forEach(function (chip) {
            var colour = chip.getAttribute("data-event-color");
            if (/^#[0-9a-fA-F]{3,8}$/.test(colour)) {
                chip.style.setProperty("--event-color", colour);
            }
        });
    }

    function start() {
        paintEventColours();
        var names = (document.body.getAttribute("data-init") || "").split(/\s+/);
        names.forEach(function (name) {
            if (initialisers[name]) {
                initialisers[name]();
            }
        });
    }

    // "Print this page" links (the order's thank-you page), once an inline onclick attribute.
    document.addEventListener("click", function (event) {
        var link = event.target.closest && event.target.closest("[data-action=print]");
        if (link) {
            event.preventDefault();
            window.print();
        }
    });

    // A page the front door shares with every anonymous reader (a product, an event's date) carries no
    // CSRF token (edge/context_processors.py): a POST form sent from it first fetches this reader's
    // token, which also sets their csrftoken cookie, then is sent again with it. Forms to other sites
    // (SumUp's pay page) are left alone. Without script, the server sends the reader back to press
    // again (home.views.csrf_failure).
    document.addEventListener("submit", function (event) {
        var form = event.target;
        if ((form.getAttribute("method") || "").toLowerCase() !== "post" || form.elements.csrfmiddlewaretoken) {
            return;
        }
        if (new URL(form.action, window.location.href).origin !== window.location.origin || !window.fetch) {
            return;
        }
        event.preventDefault();
        var submitter = event.submitter;
        fetch("/csrf-token/", {credentials: "same-origin", headers: {Accept: "application/json"}})
            .then(function (response) { return response.json(); })
            .then(function (data) {
                var input = document.createElement("input");
                input.type = "hidden";
                input.name = "csrfmiddlewaretoken";
                input.value = data.token;
                form.appendChild(input);
                if (form.requestSubmit) {
                    form.requestSubmit(submitter);
                } else {
                    form.submit();
                }
            });
    });

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", start);
    } else {
        start();
    }
})();
