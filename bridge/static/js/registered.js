/* LTI Dynamic Registration §3.6: tell the platform the registration is done. */
(function () {
  "use strict";
  function close() {
    (window.opener || window.parent).postMessage({ subject: "org.imsglobal.lti.close" }, "*");
  }
  document.getElementById("close").addEventListener("click", close);
  close();
})();
