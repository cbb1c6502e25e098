/* django-scheduler's calendar page (templates/fullcalendar.html), once an inline script in
 * fullcalendar_script.html: moved here so the Content-Security-Policy can forbid inline script.
 * The URLs and labels the template filled in are read from data-* attributes on #calendar. */
document.addEventListener('DOMContentLoaded', function() {
    var calendarEl = document.getElementById('calendar');
    if (!calendarEl) {
        return;
    }
    // Everything the template used to write into this script arrives as data on #calendar.
    var data = calendarEl.dataset;
    var inAdmin = window.location.pathname.indexOf('/admin') === 0;
    var urls = {
        occurrence: data.urlOccurrence,
        adminOccurrence: data.urlAdminOccurrence,
        event: data.urlEvent,
        adminEvent: data.urlAdminEvent,
        editEvent: data.urlEditEvent,
        editOccurrence: data.urlEditOccurrence,
        editOccurrenceByDate: data.urlEditOccurrenceByDate,
        deleteEvent: data.urlDeleteEvent,
        cancelOccurrence: data.urlCancelOccurrence,
        cancelOccurrenceByDate: data.urlCancelOccurrenceByDate,
        occurrences: data.urlOccurrences,
        moveOrResize: data.urlMoveOrResize,
        selectCreate: data.urlSelectCreate
    };
    var labels = {edit: data.labelEdit, delete: data.labelDelete};

    // The template reverses each URL with placeholder numbers (12345, 6789; 123 to 789 for a date);
    // these put an event's or occurrence's own values in their place.
    function eventURL(template, event) {
        return template.replace(/12345/, event.extendedProps.event_id);
    }

    function occurrenceURL(template, event) {
        return eventURL(template, event).replace(/6789/, event.id);
    }

    // An occurrence not yet saved has no id: django-scheduler finds it by its event and start.
    function occurrenceByDateURL(template, event) {
        var props = event.extendedProps;
        return template.replace(
                /123/, props.event_id).replace(
                /234/, props.year).replace(
                /345/, props.month).replace(
                /456/, props.day).replace(
                /567/, props.hour).replace(
                /678/, props.minute).replace(
                /789/, props.second);
    }

    function getEventViewURL(event) {
        if (event.extendedProps.existed) {
            if (!inAdmin) {
                return occurrenceURL(urls.occurrence, event);
            } else {
                return urls.adminOccurrence.replace(/12345/, event.id);
            }
        } else {
            if (!inAdmin) {
                return eventURL(urls.event, event);
            } else {
                return eventURL(urls.adminEvent, event);
            }
        }
    }

    // What the modal offers for each action: the whole event, or this one occurrence.
    var modalActions = {
        edit: {
            label: labels.edit,
            event: urls.editEvent,
            occurrence: urls.editOccurrence,
            occurrenceByDate: urls.editOccurrenceByDate
        },
        delete: {
            label: labels.delete,
            event: urls.deleteEvent,
            occurrence: urls.cancelOccurrence,
            occurrenceByDate: urls.cancelOccurrenceByDate
        }
    };

    function setModalProperties(type, event) {
        var action = modalActions[type];
        var this_url = event.extendedProps.existed
            ? occurrenceURL(action.occurrence, event)
            : occurrenceByDateURL(action.occurrenceByDate, event);

        document.getElementById('allevent').setAttribute('href', eventURL(action.event, event));
        document.getElementById('thisevent').setAttribute('href', this_url);
        document.getElementById('editordelete').innerHTML = type;
        document.getElementById('EditorDelete').innerHTML = action.label;
    }

    // A small button on a time-grid event that opens the edit-or-delete modal for it.
    function modalButton(type, iconClass, event) {
        var button = document.createElement("button");
        var icon = document.createElement("span");
        button.className = 'btn btn-secondary btn-sm float-end ' + type + '_event';
        button.onclick = function(jsEvent) {
            jsEvent.preventDefault();
            jsEvent.stopPropagation();
            setModalProperties(type, event);
            var modalEl = document.getElementById('eventModal');
            var modal = new bootstrap.Modal(modalEl);
            modal.show();
        };
        icon.className = iconClass;
        button.appendChild(icon);
        return button;
    }

    function getCookie(name) {
        var cookieValue = null;
        if (document.cookie && document.cookie != '') {
            var cookies = document.cookie.split(';');
            for (var i = 0; i < cookies.length; i++) {
                var cookie = cookies[i].trim();
                if (cookie.substring(0, name.length + 1) == (name + '=')) {
                    cookieValue = decodeURIComponent(cookie.substring(name.length + 1));
                    break;
                }
            }
        }
        return cookieValue;
    }
    var csrftoken = getCookie('csrftoken');

    // django-scheduler's API takes form-encoded POSTs; the calendar is drawn again from the server.
    function postToScheduler(url, fields) {
        return fetch(url, {
            method: 'POST',
            headers: {
                'Content-Type': 'application/x-www-form-urlencoded',
                'X-CSRFToken': csrftoken
            },
            body: new URLSearchParams(fields)
        }).then(function(response) {
            return response.json();
        }).then(function(result) {
            calendar.refetchEvents();
        });
    }

    // A drag or a resize moves the event by this many minutes; refused, the event goes back.
    function moveOrResize(info, delta, resize) {
        var event = info.event;
        var fields = {
            'id': event.id,
            'event_id': event.extendedProps.event_id,
            'existed': event.extendedProps.existed,
            'delta': delta
        };
        if (resize) {
            fields.resize = true;
        }
        postToScheduler(urls.moveOrResize, fields).catch(function(error) {
            console.log(error);
            info.revert();
        });
    }

    var calendar = new FullCalendar.Calendar(calendarEl, {
        headerToolbar: {
            left: 'prev,next today',
            center: 'title',
            right: 'dayGridMonth,timeGridWeek,timeGridDay'
        },
        editable: true,
        dayMaxEvents: true,
        selectable: true,
        selectMirror: true,
        events: urls.occurrences,
        loading: function(isLoading) {
            var el = document.getElementById('loading');
            if (el) {
                el.style.display = isLoading ? '' : 'none';
            }
        },
        eventDidMount: function(info) {
            var event = info.event;
            var element = info.el;
            var isTimeGrid = info.view.type.indexOf('timeGrid') === 0;

            if (isTimeGrid) {
                var titleEl = element.querySelector('.fc-event-title');
                if (titleEl) {
                    var link = document.createElement('a');
                    link.href = getEventViewURL(event);
                    link.innerHTML = titleEl.innerHTML;
                    titleEl.innerHTML = '';
                    titleEl.appendChild(link);
                }

                if (event.extendedProps.editable && !inAdmin) {
                    var timeEl = element.querySelector('.fc-event-time');
                    if (timeEl) {
                        timeEl.insertAdjacentHTML('beforeend', '<br>');
                        timeEl.appendChild(modalButton('edit', 'bi bi-pencil', event));
                        timeEl.appendChild(modalButton('delete', 'bi bi-trash', event));
                    }
                }
            }
        },
        dateClick: function(info) {
            if (info.view.type === 'dayGridMonth') {
                calendar.changeView('timeGridWeek', info.date);
            }
        },
        eventDrop: function(info) {
            moveOrResize(info, Math.round((info.event.start - info.oldEvent.start) / 60000), false);
        },
        eventResize: function(info) {
            moveOrResize(info, Math.round((info.event.end - info.oldEvent.end) / 60000), true);
        },
        select: function(info) {
            postToScheduler(urls.selectCreate, {
                'start': info.startStr,
                'end': info.endStr,
                'calendar_slug': calendarEl.dataset.calendarSlug
            }).catch(function(error) {
                console.log(error);
            });
            calendar.unselect();
        }
    });
    calendar.render();
});
