/* Post the deep-linking response back to the LMS at once (the button stays for browsers without JS). */
(function () {
  "use strict";
  var form = document.getElementById("autosubmit");
  if (form) {
    form.submit();
  }
})();
