/* The organiser's event form: the "Dates" box follows what is typed (the rule in words, the next
 * dates), fetched from the JSON the server computes with the same rules as the calendar. Without
 * script the "Preview dates" button posts the form and the server renders the same box. */
(function () {
    "use strict";

    var form = document.querySelector("[data-event-form]");
    var box = form && form.querySelector("[data-recurrence-preview]");
    if (!box) {
        return;
    }
    var words = box.querySelector("[data-recurrence-words]");
    var list = box.querySelector("[data-recurrence-dates]");
    var names = ["start", "frequency", "repeat_until", "time_zone"];
    var pending = null;
    var latest = 0;

    function query() {
        var params = new URLSearchParams();
        names.forEach(function (name) {
            var field = form.elements.namedItem(name);
            if (field && field.value) {
                params.set(name, field.value);
            }
        });
        return params;
    }

    function show(data) {
        words.textContent = data.words;
        list.replaceChildren();
        data.dates.forEach(function (date) {
            var item = document.createElement("li");
            var time = document.createElement("time");
            time.dateTime = date.start;
            time.textContent = date.label;
            item.appendChild(time);
            list.appendChild(item);
        });
    }

    function refresh() {
        var params = query();
        if (!params.get("start")) {
            return;
        }
        var ticket = ++latest;  // an answer overtaken by a newer question is dropped
        fetch(box.getAttribute("data-url") + "?" + params.toString(), {credentials: "same-origin"})
            .then(function (response) { return response.ok ? response.json() : null; })
            .then(function (data) {
                if (data && ticket === latest) {
                    show(data);
                }
            })
            .catch(function () { /* the "Preview dates" button still works */ });
    }

    function later() {
        window.clearTimeout(pending);
        pending = window.setTimeout(refresh, 250);
    }

    names.forEach(function (name) {
        var field = form.elements.namedItem(name);
        if (field) {
            field.addEventListener("input", later);
            field.addEventListener("change", later);
        }
    });
    refresh();
})();
