/*
 * LTI Platform Storage (1EdTech "LTI Client Side postMessages" + "Platform Storage" 1.0).
 * Login: store the OIDC state in the platform's frame (lti.put_data), then continue to the platform's
 * auth endpoint. Launch: read it back (lti.get_data) and post it to /lti/launch/verify — this proves the
 * launch belongs to this browser without any third-party cookie.
 * Messages go to the frame named by lti_storage_target (Canvas: "post_message_forwarding") in the
 * parent window, with the platform's OIDC origin as targetOrigin (Canvas requires its SSO domain).
 */
(function () {
  "use strict";
  var main = document.getElementById("main");
  var mode = main.getAttribute("data-lti-storage");
  var state = main.getAttribute("data-state");
  var origin = main.getAttribute("data-origin");
  var frameName = main.getAttribute("data-target");
  var TIMEOUT_MS = 10000;  // generous: a busy platform page answers late, and failing means a new window

  function storageWindow() {
    var parent = window.parent !== window ? window.parent : window.opener;
    if (!parent) { return null; }
    if (frameName && frameName !== "_parent") {
      try { if (parent.frames[frameName]) { return parent.frames[frameName]; } } catch (e) { /* cross-origin */ }
    }
    return parent;
  }

  function send(subject, payload) {
    return new Promise(function (resolve, reject) {
      var target = storageWindow();
      if (!target) { reject(new Error("no platform window")); return; }
      var id = "bridge-" + Math.random().toString(36).slice(2) + Date.now().toString(36);
      var timer = setTimeout(function () { done(); reject(new Error("timeout")); }, TIMEOUT_MS);
      function done() { clearTimeout(timer); window.removeEventListener("message", onMessage); }
      function onMessage(event) {
        if (origin && origin !== "*" && event.origin !== origin) { return; }
        var data = event.data || {};
        if (data.message_id !== id || data.subject !== subject + ".response") { return; }
        done();
        if (data.error) { reject(new Error(data.error.code || "error")); } else { resolve(data); }
      }
      window.addEventListener("message", onMessage);
      var message = Object.assign({ subject: subject, message_id: id }, payload);
      target.postMessage(message, origin || "*");
    });
  }

  if (mode === "put") {
    var authUrl = main.getAttribute("data-auth-url");
    send("lti.put_data", { key: "state_" + state, value: state })
      .catch(function () { /* the state cookie may still work */ })
      .then(function () { window.location.assign(authUrl); });
  } else if (mode === "get") {
    var form = document.getElementById("verify-form");
    send("lti.get_data", { key: "state_" + state })
      .then(function (data) {
        form.elements.state.value = data.value || "";
        form.submit();
      })
      .catch(function () {
        document.getElementById("checking").hidden = true;
        document.getElementById("blocked").hidden = false;
      });
  }
})();
