/* The offline module (docs/offline.md): a form marked data-offline="NAME" is kept on the device and sent when
   the network allows, once.

   On submit the form's fields are written to IndexedDB (database "dlxh-offline", store "outbox") under the
   idempotency key chosen on the device (the form's idempotency_key field; a new UUID if it is empty), then
   sent. A submission that cannot reach the server stays in the store and is sent again when the browser
   comes back online, when a page using the module opens, and every 30 seconds. The server files each key once
   (a repeat gets the first answer), so a submission sent twice is stored once. A refusal (a JSON 400, 404,
   409, 410, 413 or 422) is shown and removed from the store: sending it again would be refused again.

   The request: POST to the form's action, the fields urlencoded, headers Accept: application/json,
   X-CSRFToken and Idempotency-Key. Expected answers: 200/201 JSON (sent), 400/404/409/410/413/422 JSON
   {detail, errors} (refused), anything else or no answer (kept). No dependency, no CDN. */
(function () {
  "use strict";
  var DB = "dlxh-offline", STORE = "outbox", RETRY_MS = 30000;
  // Refusals that sending again cannot change; anything else (403 after a logout, 5xx, no answer) is kept.
  var REFUSED = [400, 404, 409, 410, 413, 422];
  var sending = false;
  var fromHere = {};  // key → the form on this page it was submitted from (a refusal puts its fields back)

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function open() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB, 1);
      request.onupgradeneeded = function () { request.result.createObjectStore(STORE, { keyPath: "key" }); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function tx(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(STORE, mode), result;
        t.oncomplete = function () { db.close(); resolve(result); };
        t.onerror = function () { db.close(); reject(t.error); };
        result = work(t.objectStore(STORE));
      });
    });
  }

  function all() {
    return tx("readonly", function (store) {
      var out = { items: [] };
      store.openCursor().onsuccess = function (e) {
        var c = e.target.result;
        if (c) { out.items.push(c.value); c.continue(); }
      };
      return out;
    }).then(function (out) { return out.items.sort(function (a, b) { return a.created - b.created; }); });
  }

  function put(item) { return tx("readwrite", function (store) { store.put(item); }); }
  function remove(key) { return tx("readwrite", function (store) { store.delete(key); }); }

  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function status(text) {
    document.querySelectorAll("[data-offline-status]").forEach(function (el) { el.textContent = text || ""; });
  }

  function label(name) {
    var el = document.querySelector("[data-offline-status]");
    return el ? el.getAttribute("data-text-" + name) || "" : "";
  }

  function showPending() {
    return all().then(function (items) {
      var n = items.length;
      document.documentElement.setAttribute("data-offline-pending", String(n));
      if (n) status(n + " " + label("pending"));
      return n;
    });
  }

  function sendOne(item) {
    var body = new URLSearchParams(item.fields);
    body.set("csrfmiddlewaretoken", csrf());
    return fetch(item.url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrf(), "Idempotency-Key": item.key },
    }).then(function (response) {
      var json = (response.headers.get("Content-Type") || "").indexOf("json") >= 0;
      // A login page (the session ended) is an answer of 200 too: only JSON says the server filed it.
      if (response.ok && json && !response.redirected) return remove(item.key).then(function () { return "sent"; });
      if (json && REFUSED.indexOf(response.status) >= 0) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          var errors = data.errors ? Object.keys(data.errors).map(function (k) { return data.errors[k].join(" "); }) : [];
          status(label("refused") + " " + (errors.join(" ") || data.detail || response.status));
          if (fromHere[item.key]) restore(fromHere[item.key], item.fields);
          return remove(item.key).then(function () { return "refused"; });
        });
      }
      return "kept";
    }, function () { return "kept"; });
  }

  function flush() {
    if (sending) return Promise.resolve();
    sending = true;
    return all().then(function (items) {
      return items.reduce(function (chain, item) {
        return chain.then(function (results) {
          return sendOne(item).then(function (r) { results.push(r); return results; });
        });
      }, Promise.resolve([]));
    }).then(function (results) {
      sending = false;
      return showPending().then(function (n) {
        if (!n && results.indexOf("sent") >= 0 && results.indexOf("refused") < 0) status(label("sent"));
        if (results.indexOf("sent") >= 0) document.dispatchEvent(new CustomEvent("offline:sent"));
      });
    }, function () { sending = false; });
  }

  function fieldsOf(form) {
    var fields = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken" && typeof value === "string") fields.push([name, value]);
    });
    return fields;
  }

  function restore(form, fields) {
    // The refused submission back in its form, to correct and send again (nothing of it was stored).
    form.reset();
    fields.forEach(function (pair) {
      form.querySelectorAll('[name="' + pair[0] + '"]').forEach(function (input) {
        if (input.type === "checkbox" || input.type === "radio") {
          if (input.value === pair[1]) input.checked = true;
        } else {
          input.value = pair[1];
        }
      });
    });
    form.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function onSubmit(event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-offline]")) return;
    event.preventDefault();
    var keyField = form.querySelector('[name="idempotency_key"]');
    var key = (keyField && keyField.value) || uuid();
    // data-offline-stamp="NAME ...": those fields get the device's time of submission (ISO 8601, UTC), e.g. the
    // time an interview was collected, which may be long before it reaches the server.
    (form.getAttribute("data-offline-stamp") || "").split(/\s+/).forEach(function (name) {
      if (!name) return;
      form.querySelectorAll('[name="' + name + '"]').forEach(function (input) { input.value = new Date().toISOString(); });
    });
    var fields = fieldsOf(form).filter(function (pair) { return pair[0] !== "idempotency_key"; });
    fields.push(["idempotency_key", key]);
    var item = { key: key, kind: form.getAttribute("data-offline"), url: form.action, fields: fields,
                 created: Date.now() };
    fromHere[key] = form;
    put(item).then(function () {
      form.reset();
      form.dispatchEvent(new Event("change", { bubbles: true }));  // scripts showing parts of the form redraw
      if (keyField) keyField.value = uuid();  // the next submission gets its own key
      status(label("saved"));
      return flush();
    });
  }

  document.addEventListener("submit", onSubmit);
  window.addEventListener("online", flush);
  document.addEventListener("DOMContentLoaded", function () { showPending().then(flush); });
  setInterval(function () { if (navigator.onLine) flush(); }, RETRY_MS);
  if ("serviceWorker" in navigator) {
    window.addEventListener("load", function () { navigator.serviceWorker.register("/sw.js").catch(function () {}); });
  }
  window.dlxhOffline = { flush: flush, pending: showPending };
})();
