/* Inside an LMS iframe: continue only if the browser keeps our cookies here, else offer a new window. */
(function () {
  "use strict";
  var main = document.getElementById("main");
  var secure = window.location.protocol === "https:";
  document.cookie = "bridge_cookie_check=1; path=/" + (secure ? "; SameSite=None; Secure; Partitioned" : "");
  if (document.cookie.indexOf("bridge_cookie_check=1") !== -1) {
    window.location.assign(main.getAttribute("data-auth-url"));
  } else {
    document.getElementById("checking").hidden = true;
    document.getElementById("blocked").hidden = false;
  }
})();
