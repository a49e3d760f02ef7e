/* The service worker of the installable app (docs/offline.md), served at /sw.js so that it covers every page.
   It keeps the pages a person opened and the static files, so an opened form still opens without a network
   (network first, the kept copy when offline). It never touches a POST: submissions go through the page's
   offline module (offline.js), which stores them on the device and sends each once. */
var CACHE = "dlxh-pages-v1";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) return;
  var url = new URL(request.url);
  if (url.pathname.indexOf("/api/") === 0) return;
  event.respondWith(
    fetch(request).then(function (response) {
      if (response.ok && response.type === "basic") {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    }).catch(function () {
      return caches.match(request).then(function (kept) { return kept || Response.error(); });
    })
  );
});
