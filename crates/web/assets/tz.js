// Remembers the browser's time zone in the kith_tz cookie, so times are shown
// in the reader's zone. Without JavaScript, the reader picks a zone from the
// list in the directory's filters instead.
(function () {
  "use strict";
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (e) {
    return;
  }
  if (!zone || !/^[A-Za-z0-9_+\-\/]+$/.test(zone)) return;
  function remembered() {
    return document.cookie.split("; ").some(function (c) {
      return c.indexOf("kith_tz=") === 0;
    });
  }
  if (remembered()) return;
  document.cookie = "kith_tz=" + zone + "; path=/; max-age=31536000; samesite=lax";
  // Show this page again in the reader's zone, unless it names one already
  // or cookies are refused (which would reload forever).
  if (remembered() && document.documentElement.getAttribute("data-zone-from") === "default") {
    window.location.reload();
  }
})();
