/* SCORM run-time API adapter of the credential bridge: window.API (SCORM 1.2) and window.API_1484_11 (2004).
 *
 * The SCO's calls are answered synchronously from a local copy of the run-time state, validated against the
 * data model JSON the server serves (scorm.datamodel.datamodel_json: the one authoritative definition).
 * Every state-changing call (Initialize, SetValue, Commit, Terminate) is also queued and sent in numbered
 * batches to the server, which replays it through the same data model (bridge.services.scorm_attempts).
 * Batches go out on Commit/Terminate, every few seconds, and when the page is hidden (fetch keepalive or
 * sendBeacon); the queue lives in localStorage, so a dropped connection or a closed tab loses nothing: the
 * next page load (or the "online" event) sends what is left. The server skips batches it already has.
 *
 * Roles (data-role on the <script> element's page root):
 *   player — the tool page: table of contents, previous/next, the SCO frame; same-origin mode hosts the API
 *            here; relay mode hands state to a relay frame on the content origin and persists its batches.
 *   relay  — the small page on the separate content origin: hosts the API next to the SCO and talks to the
 *            player only through postMessage with origin checks (no tool cookies or tokens there).
 */
(function () {
  "use strict";

  // ---------------------------------------------------------------- data model (mirrors scorm/datamodel.py)
  function Model(json) {
    this.json = json;
    this.family = json.family;
    this.elements = json.elements;
    this.collections = json.collections;
    this.groups = json.groups;
    this.keywords = json.keywords || {};
    var p = json.patterns || {};
    this.patterns = {};
    for (var k in p) { this.patterns[k] = new RegExp(p[k]); }
  }

  Model.prototype.template = function (name) {
    var target = /^(adl\.nav\.request_valid\.(?:choice|jump))\.\{target=[^}]+\}$/.exec(name);
    if (target) { return { template: target[1] + ".{target}", indices: [] }; }
    var parts = [], indices = [], segments = name.split(".");
    for (var i = 0; i < segments.length; i++) {
      var s = segments[i];
      if (/^[0-9]+$/.test(s)) { parts.push("n"); indices.push(parseInt(s, 10)); }
      else if (s === "n" || s === "{target}" || s === "") { return null; }
      else { parts.push(s); }
    }
    return { template: parts.join("."), indices: indices };
  };

  Model.prototype.knownPrefix = function (template) {
    if (this.elements[template] || this.collections[template] || this.groups[template]) { return true; }
    for (var path in this.elements) { if (path.indexOf(template + ".") === 0) { return true; } }
    return false;
  };

  Model.prototype.resolve = function (name) {
    if (Object.prototype.hasOwnProperty.call(this.keywords, name)) { return { kind: "keyword", name: name }; }
    var t = this.template(name);
    if (!t) { return { kind: "unknown", name: name }; }
    var tpl = t.template, idx = t.indices;
    var m = /^(.*)\.(_children|_count)$/.exec(tpl);
    if (m) {
      var parent = m[1];
      if (m[2] === "_children") {
        if (this.collections[parent]) {
          return { kind: "children", name: name, template: parent, indices: idx,
                   children: this.collections[parent].children };
        }
        if (this.groups[parent]) { return { kind: "children", name: name, template: parent, indices: idx,
                                            children: this.groups[parent] }; }
        return { kind: this.knownPrefix(parent) ? "bad_children" : "unknown", name: name, template: parent };
      }
      if (this.collections[parent]) { return { kind: "count", name: name, template: parent, indices: idx }; }
      return { kind: this.knownPrefix(parent) ? "bad_count" : "unknown", name: name, template: parent };
    }
    var element = this.elements[tpl];
    if (!element) { return { kind: "unknown", name: name, template: tpl }; }
    var cpath = tpl.indexOf(".n.") >= 0 ? tpl.slice(0, tpl.lastIndexOf(".n.")) : "";
    return { kind: "element", name: name, template: tpl, indices: idx, element: element,
             collectionPath: cpath, collection: this.collections[cpath] || null };
  };

  var REAL = /^[-+]?(?:\d+\.?\d*|\.\d+)$/, DEC12 = /^-?\d+(?:\.\d+)?$|^-?\.\d+$/, INT = /^-?\d+$/;
  var LANG = /^(?:[a-zA-Z]{2,3}|[iIxX])(?:-[a-zA-Z0-9]{1,8})*$/;

  Model.prototype.validate = function (type, value) {
    if (value === "" && type.allow_empty) { return "ok"; }
    if (type.max_length != null && value.length > type.max_length) { return "type"; }
    var p = this.patterns, num = function (re) {
      if (!re.test(value)) { return "type"; }
      var n = parseFloat(value);
      if (type.minimum != null && n < type.minimum) { return "range"; }
      if (type.maximum != null && n > type.maximum) { return "range"; }
      return "ok";
    };
    var re = function (r) { return r && r.test(value) ? "ok" : "type"; };
    switch (type.kind) {
      case "string": return "ok";
      case "identifier12": return re(/^[\x21-\x7e]+$/);
      case "decimal12": return num(DEC12);
      case "integer": return num(INT);
      case "real": return num(REAL);
      case "timespan12": return re(p.timespan12);
      case "time12": return re(p.time12);
      case "timeinterval": return re(p.timeinterval);
      case "time2004": return re(p.time2004);
      case "vocabulary": return type.vocabulary.indexOf(value) >= 0 ? "ok" : "type";
      case "result": return type.vocabulary.indexOf(value) >= 0 || REAL.test(value) ? "ok" : "type";
      case "long_identifier":
        if (!value || /^\s+$/.test(value)) { return "type"; }
        if (/^urn:/i.test(value) && !/^urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:\S+$/i.test(value)) { return "type"; }
        return "ok";
      case "short_identifier": return value && !/\s/.test(value) ? "ok" : "type";
      case "localized_string":
        var lm = /^\{lang=([^}]*)\}/.exec(value);
        return lm && lm[1] && !LANG.test(lm[1]) ? "type" : "ok";
      case "language": return re(LANG);
      case "nav_request":
        return type.vocabulary.indexOf(value) >= 0 || /^\{target=([^}]+)\}(choice|jump)$/.test(value) ? "ok" : "type";
      case "audio_captioning": return ["-1", "0", "1"].indexOf(value) >= 0 ? "ok" : "type";
      default: return "ok";
    }
  };

  // ---------------------------------------------------------------- run-time state (mirrors scorm/runtime*.py)
  var CODES = {
    "1.2": { initTwice: 101, initAfterTerm: 101, termBeforeInit: 301, termAfterTerm: 301, getBeforeInit: 301,
             getAfterTerm: 301, setBeforeInit: 301, setAfterTerm: 301, commitBeforeInit: 301,
             commitAfterTerm: 301, argument: 201, getFailure: 201, setFailure: 201, undefined: 201,
             badChildren: 202, badCount: 203, keywordSet: 402, readOnly: 403, writeOnly: 404, type: 405,
             range: 407, notInitialized: null, dependency: 201, notImplemented: 401 },
    "2004": { initTwice: 103, initAfterTerm: 104, termBeforeInit: 112, termAfterTerm: 113, getBeforeInit: 122,
              getAfterTerm: 123, setBeforeInit: 132, setAfterTerm: 133, commitBeforeInit: 142,
              commitAfterTerm: 143, argument: 201, getFailure: 301, setFailure: 351, undefined: 401,
              badChildren: 301, badCount: 301, keywordSet: 404, readOnly: 404, writeOnly: 405, type: 406,
              range: 407, notInitialized: 403, dependency: 408, notImplemented: 402 }
  };

  function fill(template, indices) {
    var i = 0;
    return template.split(".").map(function (s) { return s === "n" ? String(indices[i++]) : s; }).join(".");
  }

  function Runtime(model, start, sink) {
    this.model = model;
    this.codes = CODES[model.family];
    this.values = start.values || {};
    this.counts = start.counts || {};
    this.sink = sink;          // function(method, element, value, isFlushPoint)
    this.state = "not_initialized";
    this.error = 0;
    this.diagnostic = "";
    this.onTerminate = null;
  }

  Runtime.prototype.answer = function (code, value, failure, diagnostic) {
    this.error = code;
    this.diagnostic = diagnostic || "";
    return code === 0 ? value : failure;
  };

  Runtime.prototype.lifecycle = function (before, after) {
    if (this.state === "not_initialized") { return [before, "Initialize has not been called."]; }
    if (this.state === "terminated") { return [after, "The session has already been terminated."]; }
    return null;
  };

  Runtime.prototype.initialize = function (param) {
    if (param !== "" && param != null) { return this.answer(this.codes.argument, "", "false", "The parameter must be \"\"."); }
    if (this.state !== "not_initialized") {
      return this.answer(this.state === "running" ? this.codes.initTwice : this.codes.initAfterTerm, "", "false",
                         "Initialize may be called once per session.");
    }
    this.state = "running";
    this.sink("Initialize", "", "", false);
    return this.answer(0, "true", "false");
  };

  Runtime.prototype.terminate = function (param) {
    if (param !== "" && param != null) { return this.answer(this.codes.argument, "", "false", "The parameter must be \"\"."); }
    var problem = this.lifecycle(this.codes.termBeforeInit, this.codes.termAfterTerm);
    if (problem) { return this.answer(problem[0], "", "false", problem[1]); }
    this.state = "terminated";
    this.sink("Terminate", "", "", true);
    if (this.onTerminate) { var cb = this.onTerminate, self = this; setTimeout(function () { cb(self); }, 0); }
    return this.answer(0, "true", "false");
  };

  Runtime.prototype.commit = function (param) {
    if (param !== "" && param != null) { return this.answer(this.codes.argument, "", "false", "The parameter must be \"\"."); }
    var problem = this.lifecycle(this.codes.commitBeforeInit, this.codes.commitAfterTerm);
    if (problem) { return this.answer(problem[0], "", "false", problem[1]); }
    this.sink("Commit", "", "", true);
    return this.answer(0, "true", "false");
  };

  Runtime.prototype.count = function (instance) { return this.counts[instance] || 0; };

  Runtime.prototype.levels = function (found) {
    var head = found.template.split(".n."), out = [];
    for (var d = 0; d < found.indices.length; d++) {
      out.push([found.indices[d], this.count(fill(head.slice(0, d + 1).join(".n."), found.indices.slice(0, d)))]);
    }
    return out;
  };

  Runtime.prototype.exists = function (found) {
    return this.levels(found).every(function (l) { return l[0] < l[1]; });
  };

  Runtime.prototype.evaluated = function (name) {
    var v = this.values, num = function (k) { var x = parseFloat(v[k]); return v[k] == null || v[k] === "" || isNaN(x) ? null : x; };
    if (name === "cmi.completion_status") {
      var threshold = num("cmi.completion_threshold");
      if (threshold !== null) {
        var progress = num("cmi.progress_measure");
        return progress === null ? "unknown" : (progress >= threshold ? "completed" : "incomplete");
      }
      return v["cmi.completion_status"] || "unknown";
    }
    var passing = num("cmi.scaled_passing_score");
    if (passing !== null) {
      var scaled = num("cmi.score.scaled");
      return scaled === null ? "unknown" : (scaled >= passing ? "passed" : "failed");
    }
    return v["cmi.success_status"] || "unknown";
  };

  Runtime.prototype.getValue = function (name) {
    var problem = this.lifecycle(this.codes.getBeforeInit, this.codes.getAfterTerm);
    if (problem) { return this.answer(problem[0], "", "", problem[1]); }
    var c = this.codes;
    name = name == null ? "" : String(name);
    if (!name) { return this.answer(c.getFailure, "", "", "GetValue needs a data model element name."); }
    var found = this.model.resolve(name);
    if (found.kind === "unknown") { return this.answer(c.undefined, "", "", name + " is not an element of the data model."); }
    if (found.kind === "keyword") { return this.answer(0, this.model.keywords[name], ""); }
    if (found.kind === "bad_children") { return this.answer(c.badChildren, "", "", found.template + " has no _children."); }
    if (found.kind === "bad_count") { return this.answer(c.badCount, "", "", found.template + " has no _count."); }
    if (found.indices && found.indices.length && !this.exists(found)) {
      return this.answer(c.getFailure, "", "", name + ": no record at that index yet.");
    }
    if (found.kind === "children") { return this.answer(0, found.children, ""); }
    if (found.kind === "count") { return this.answer(0, String(this.count(fill(found.template, found.indices))), ""); }
    var element = found.element;
    if (element.implemented === false) { return this.answer(c.notImplemented, "", "", name + " is not implemented."); }
    if (element.access === "WO") { return this.answer(c.writeOnly, "", "", name + " is write-only."); }
    if (this.model.family === "2004" && (name === "cmi.completion_status" || name === "cmi.success_status")) {
      return this.answer(0, this.evaluated(name), "");
    }
    var value = this.values[name];
    if (value == null) { value = element.initial; }
    if (value == null) {
      if (c.notInitialized === null) { return this.answer(0, "", ""); }
      return this.answer(c.notInitialized, "", "", name + " has not been set yet.");
    }
    return this.answer(0, value, "");
  };

  Runtime.prototype.setValue = function (name, value) {
    var problem = this.lifecycle(this.codes.setBeforeInit, this.codes.setAfterTerm);
    if (problem) { return this.answer(problem[0], "", "false", problem[1]); }
    var c = this.codes;
    name = name == null ? "" : String(name);
    value = value == null ? "" : String(value);
    if (!name) { return this.answer(c.setFailure, "", "false", "SetValue needs a data model element name."); }
    var found = this.model.resolve(name);
    if (found.kind === "keyword" || found.kind === "children" || found.kind === "count") {
      return this.answer(c.keywordSet, "", "false", name + " is a keyword and cannot be set.");
    }
    if ((found.kind === "bad_children" || found.kind === "bad_count") && this.model.family === "1.2") {
      return this.answer(found.kind === "bad_children" ? c.badChildren : c.badCount, "", "false", "");
    }
    if (found.kind !== "element") { return this.answer(c.undefined, "", "false", name + " is not an element of the data model."); }
    var element = found.element;
    if (element.access === "RO") { return this.answer(c.readOnly, "", "false", name + " is read-only."); }
    var verdict = this.model.validate(element.type, value);
    if (verdict === "ok" && element.settable && element.settable.indexOf(value) < 0) { verdict = "type"; }
    if (verdict !== "ok") {
      return this.answer(verdict === "type" ? c.type : c.range, "", "false", "Not a valid " + element.type.name + ".");
    }
    if (found.indices.length) {
      var lv = this.levels(found), ok = true;
      for (var i = 0; i < lv.length; i++) { if (i < lv.length - 1 ? lv[i][0] >= lv[i][1] : lv[i][0] > lv[i][1]) { ok = false; } }
      if (!ok) { return this.answer(c.setFailure, "", "false", name + ": records must be added in order."); }
    }
    if (element.requires && this.values[fill(element.requires, found.indices)] == null) {
      return this.answer(c.dependency, "", "false", fill(element.requires, found.indices) + " must be set first.");
    }
    var coll = found.collection;
    if (coll && found.indices.length) {
      var instance = fill(found.collectionPath, found.indices.slice(0, -1)), index = found.indices[found.indices.length - 1];
      if (coll.unique_identifier && /\.n\.id$/.test(found.template)) {
        for (var j = 0; j < this.count(instance); j++) {
          if (j !== index && this.values[instance + "." + j + ".id"] === value) {
            return this.answer(c.setFailure, "", "false", "Identifiers are unique.");
          }
        }
        if (this.values[name] != null && this.values[name] !== value) {
          return this.answer(c.setFailure, "", "false", "Identifiers cannot change once set.");
        }
      }
      if (index >= coll.max_items) { return this.answer(c.setFailure, "", "false", "Too many records."); }
      this.counts[instance] = Math.max(this.count(instance), index + 1);
    }
    this.values[name] = value;
    if (name === "cmi.core.lesson_status") { this.statusSet = true; }
    this.sink("SetValue", name, value, false);
    return this.answer(0, "true", "false");
  };

  Runtime.prototype.errorString = function (code) {
    var s = this.model.json.errors[String(code == null || code === "" ? this.error : code)];
    return s || "";
  };

  function exposeApi(win, runtime) {
    var r = runtime;
    if (r.model.family === "1.2") {
      win.API = {
        LMSInitialize: function (p) { return r.initialize(p); },
        LMSFinish: function (p) { return r.terminate(p); },
        LMSGetValue: function (e) { return r.getValue(e); },
        LMSSetValue: function (e, v) { return r.setValue(e, v); },
        LMSCommit: function (p) { return r.commit(p); },
        LMSGetLastError: function () { return String(r.error); },
        LMSGetErrorString: function (code) { return r.errorString(code); },
        LMSGetDiagnostic: function (code) { return r.diagnostic || r.errorString(code); }
      };
      win.API_1484_11 = undefined;
    } else {
      win.API_1484_11 = {
        version: "1.0",
        Initialize: function (p) { return r.initialize(p); },
        Terminate: function (p) { return r.terminate(p); },
        GetValue: function (e) { return r.getValue(e); },
        SetValue: function (e, v) { return r.setValue(e, v); },
        Commit: function (p) { return r.commit(p); },
        GetLastError: function () { return String(r.error); },
        GetErrorString: function (code) { return r.errorString(code); },
        GetDiagnostic: function (code) { return r.diagnostic || r.errorString(code); }
      };
      win.API = undefined;
    }
  }

  // ---------------------------------------------------------------- persistence (batches, offline queue)
  function Persister(commitUrl, storageKey, onStatus) {
    this.url = commitUrl;
    this.key = storageKey;
    this.onStatus = onStatus || function () {};
    this.open = null;          // {sco, session, seq, calls}
    this.pending = this.load(); // sealed batches not yet acknowledged: {sco, session, seq, calls}
    this.inflight = null;
    this.retryMs = 1000;
    this.timer = null;
  }

  Persister.prototype.load = function () {
    try { return JSON.parse(window.localStorage.getItem(this.key) || "[]"); } catch (e) { return []; }
  };

  Persister.prototype.save = function () {
    var all = this.pending.slice();
    if (this.open && this.open.calls.length) {
      // Saved as the batch it will become when sealed, so a reload sends it under the right number.
      all.push({ sco: this.open.sco, session: this.open.session, seq: this.open.seq + 1, calls: this.open.calls });
    }
    try {
      if (all.length) { window.localStorage.setItem(this.key, JSON.stringify(all)); }
      else { window.localStorage.removeItem(this.key); }
    } catch (e) { /* storage full or disabled: the in-memory queue and the beacon still carry the calls */ }
  };

  Persister.prototype.begin = function (sco, session) {
    this.seal();
    this.open = { sco: sco, session: session, seq: 0, calls: [] };
  };

  Persister.prototype.record = function (method, element, value) {
    this.open.calls.push({ method: method, element: element, value: value });
    this.save();
  };

  Persister.prototype.seal = function () {
    if (!this.open || !this.open.calls.length) { return; }
    this.open.seq += 1;
    this.pending.push({ sco: this.open.sco, session: this.open.session, seq: this.open.seq, calls: this.open.calls });
    this.open = { sco: this.open.sco, session: this.open.session, seq: this.open.seq, calls: [] };
    this.save();
  };

  Persister.prototype.group = function () {
    if (!this.pending.length) { return null; }
    var first = this.pending[0];
    var batches = this.pending.filter(function (b) { return b.sco === first.sco && b.session === first.session; });
    return { sco: first.sco, session: first.session,
             batches: batches.map(function (b) { return { seq: b.seq, calls: b.calls }; }) };
  };

  Persister.prototype.acknowledge = function (sco, session, acked) {
    this.pending = this.pending.filter(function (b) { return !(b.sco === sco && b.session === session && b.seq <= acked); });
    this.save();
  };

  // Send every sealed batch, one (SCO, session) group per request, until the queue is empty.
  Persister.prototype.flush = function () {
    var self = this;
    this.seal();
    if (this.inflight) { return this.inflight; }
    var body = this.group();
    if (!body) { this.onStatus("saved"); return Promise.resolve(true); }
    var text = JSON.stringify(body);
    this.onStatus("saving");
    this.inflight = fetch(this.url, { method: "POST", body: text, keepalive: text.length < 60000,
                                      headers: { "Content-Type": "application/json" }, credentials: "omit" })
      .then(function (response) {
        return response.json().then(function (answer) { return [response, answer]; }, function () { return [response, {}]; });
      })
      .then(function (pair) {
        var response = pair[0], answer = pair[1];
        self.inflight = null;
        if (response.ok) {
          self.acknowledge(body.sco, body.session, answer.acked);
          if (answer.rejected && answer.rejected.length && window.console) {
            window.console.warn("SCORM: the server refused calls", answer.rejected);
          }
          self.retryMs = 1000;
          return self.flush();
        }
        if ([400, 403, 404, 409, 413].indexOf(response.status) >= 0) {
          // The server will never accept this group (malformed, attempt gone, superseded session): drop it.
          self.acknowledge(body.sco, body.session, Infinity);
          return self.flush();
        }
        throw new Error("HTTP " + response.status);
      })
      .catch(function () {
        self.inflight = null;
        self.onStatus("offline");
        self.retryLater();
        return false;
      });
    return this.inflight;
  };

  Persister.prototype.retryLater = function () {
    var self = this;
    if (this.timer) { return; }
    this.timer = setTimeout(function () { self.timer = null; self.flush(); }, this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, 30000);
  };

  // Page hidden or unloading: fetch keepalive outlives the page; the localStorage copy covers the rest.
  Persister.prototype.beacon = function () {
    this.seal();
    var body = this.group();
    if (!body) { return; }
    var text = JSON.stringify(body);
    if (text.length < 60000 && navigator.sendBeacon) {
      navigator.sendBeacon(this.url, new Blob([text], { type: "text/plain;charset=UTF-8" }));
    } else {
      this.flush();
    }
  };

  // ---------------------------------------------------------------- helpers
  function getJson(url) {
    return fetch(url, { credentials: "omit", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.json();
    });
  }

  // ---------------------------------------------------------------- relay page (content origin)
  function startRelay(root) {
    var parentOrigin = root.getAttribute("data-parent-origin");
    var frame = document.getElementById("sco-frame");
    var runtime = null;
    function post(message) { window.parent.postMessage(message, parentOrigin); }
    window.addEventListener("message", function (event) {
      if (event.origin !== parentOrigin || event.source !== window.parent) { return; }
      var msg = event.data || {};
      if (msg.type === "scorm-open") {
        var model = new Model(msg.datamodel);
        runtime = new Runtime(model, msg.start, function (method, element, value, flushPoint) {
          post({ type: "scorm-call", method: method, element: element, value: value, flush: flushPoint });
        });
        runtime.onTerminate = function (rt) { post({ type: "scorm-terminated", nav: rt.values["adl.nav.request"] || "" }); };
        exposeApi(window, runtime);
        frame.src = msg.launchUrl;
      } else if (msg.type === "scorm-nav-valid" && runtime) {
        for (var name in msg.values || {}) { runtime.values[name] = String(msg.values[name]); }
      }
    });
    window.addEventListener("pagehide", function () { post({ type: "scorm-hidden" }); });
    post({ type: "scorm-relay-ready" });
  }

  // ---------------------------------------------------------------- player page (tool origin)
  function startPlayer(root) {
    var statusEl = document.getElementById("save-status");
    var frame = document.getElementById("sco-frame");
    var cfg = null, persister = null, current = null, runtime = null, datamodel = null;

    function status(text) {
      if (!statusEl) { return; }
      statusEl.textContent = { saving: "Saving…", saved: "All progress saved", offline: "Offline — progress is kept on this device and sent when the connection returns" }[text] || text;
      statusEl.setAttribute("data-state", text);
    }

    // Flow order (previous/next, continue/previous requests) includes items hidden from the table of contents
    // (isvisible="false" hides an item from the TOC only); choice is offered only in the TOC.
    function visibleScos() { return cfg.scos; }
    function indexOf(id) { var v = visibleScos(); for (var i = 0; i < v.length; i++) { if (v[i].identifier === id) { return i; } } return -1; }

    function updateNav() {
      var v = visibleScos(), i = indexOf(current);
      if (!cfg.sequencing) {  // SCORM 2004 sequencing sets the buttons from the server's answer (applyNav)
        document.getElementById("nav-prev").disabled = i <= 0;
        document.getElementById("nav-next").disabled = i < 0 || i >= v.length - 1;
      }
      var links = document.querySelectorAll("[data-sco]");
      for (var k = 0; k < links.length; k++) {
        if (links[k].getAttribute("data-sco") === current) { links[k].setAttribute("aria-current", "step"); }
        else { links[k].removeAttribute("aria-current"); }
      }
    }

    function onCall(method, element, value, flushPoint) {
      persister.record(method, element, value);
      if (flushPoint && cfg.sequencing && method === "Commit") {
        persister.flush().then(function () { requestNav("state"); });  // fresh results → buttons, TOC, request_valid
      } else if (flushPoint) { persister.flush(); }
    }

    // ------------------------------------------------ SCORM 2004 sequencing: the server decides what runs
    var leaving = false;  // a learner's request is unloading the SCO: its own adl.nav.request gives way
    var navChain = Promise.resolve();  // navigation requests run one after another, in order
    var moving = 0;  // queued requests that may move the learner: a click meanwhile must not move them twice

    function applyNav(nav) {
      document.getElementById("nav-prev").disabled = !nav.previous;
      document.getElementById("nav-next").disabled = !nav["continue"];
      var entries = {};
      (nav.toc || []).forEach(function (e) { entries[e.identifier] = e; });
      var links = document.querySelectorAll("button[data-sco]");
      for (var k = 0; k < links.length; k++) {
        var entry = entries[links[k].getAttribute("data-sco")];
        links[k].disabled = !(entry && entry.enabled);
        links[k].setAttribute("data-completed", entry && entry.completed ? "true" : "false");
      }
      var message = document.getElementById("nav-message");
      if (message) { message.textContent = nav.message || ""; message.hidden = !nav.message; }
      var valid = nav.request_valid || {};
      if (cfg.mode === "relay" && frame.contentWindow) {
        frame.contentWindow.postMessage({ type: "scorm-nav-valid", values: valid }, cfg.content_origin);
      } else if (runtime) {
        for (var name in valid) { runtime.values[name] = valid[name]; }
      }
    }

    function requestNav(request, target, unload) {
      var moves = request !== "state";
      if (unload && moving) { return navChain; }
      if (moves) { moving += 1; }
      navChain = navChain.then(function () { return runNav(request, target, unload); })
        .then(function () { if (moves) { moving -= 1; } });
      return navChain;
    }

    function runNav(request, target, unload) {
      function post(retries) {
        return fetch(cfg.navigate_url, { method: "POST", credentials: "omit", headers: { "Content-Type": "application/json" },
                                         body: JSON.stringify({ request: request, target: target || null }) })
          .then(function (response) {
            if (response.status === 503 && retries > 0) {  // a commit of the same attempt won the race: ask again
              return new Promise(function (resolve) { setTimeout(resolve, 300); }).then(function () { return post(retries - 1); });
            }
            return response.json().then(function (nav) {
              if (!response.ok && response.status !== 409) { throw new Error(nav.error || "HTTP " + response.status); }
              return nav;
            });
          });
      }
      function ask() {
        return post(3)
          .then(function (nav) {
            var unloaded = !!unload;  // only the request that unloaded the SCO reopens it
            if (unload) { leaving = false; }
            applyNav(nav);
            if (nav.outcome === "deliver") { open(nav.sco); }
            else if (nav.outcome === "ended") { frame.src = "about:blank"; current = null; updateNav(); }
            else if (unloaded && nav.sco) { open(nav.sco); }  // refused: the learner stays in the same SCO
            else if (unloaded) { current = null; updateNav(); }
          })
          .catch(function () {
            if (unload) { leaving = false; }
            status("Navigation failed. Check the connection and try again.");
          });
      }
      if (unload && current) {
        // The SCO finishes (Terminate on unload) and its last values are saved before sequencing decides.
        leaving = true;
        frame.src = "about:blank";
        return new Promise(function (resolve) { setTimeout(resolve, 50); })
          .then(function () { return persister.flush(); }).then(ask);
      }
      return persister.flush().then(ask);
    }

    function afterTerminate(nav) {
      if (cfg.sequencing) {
        if (!leaving) { persister.flush().then(function () { requestNav("terminated"); }); }
        return;
      }
      persister.flush().then(function () {
        var v = visibleScos(), i = indexOf(current);
        if (nav === "continue" && i < v.length - 1) { open(v[i + 1].identifier); }
        else if (nav === "previous" && i > 0) { open(v[i - 1].identifier); }
        else {
          var target = /^\{target=([^}]+)\}(choice|jump)$/.exec(nav || "");
          if (target && indexOf(target[1]) >= 0) { open(target[1]); }
        }
      });
    }

    function open(scoId) {
      var sco = cfg.scos.filter(function (s) { return s.identifier === scoId; })[0];
      var asset = !sco && cfg.assets ? cfg.assets[scoId] : null;
      if (asset) {  // an asset never calls the API: it is only shown
        frame.src = "about:blank";
        current = scoId;
        updateNav();
        setTimeout(function () { frame.src = asset; }, 50);
        return;
      }
      if (!sco) { return; }
      // Unload the current SCO first: it finishes (LMSFinish on unload) before the next one starts.
      frame.src = "about:blank";
      setTimeout(function () {
        persister.flush().then(function () {
          return getJson(cfg.open_url.replace("__SCO__", encodeURIComponent(scoId)));
        }).then(function (start) {
          current = scoId;
          persister.begin(scoId, start.session);
          updateNav();
          if (cfg.mode === "relay") {
            expectRelay().then(function (relayWindow) {
              relayWindow.postMessage({ type: "scorm-open", datamodel: datamodel, start: start,
                                        launchUrl: sco.launch_url }, cfg.content_origin);
            });
            frame.src = cfg.relay_url;
          } else {
            runtime = new Runtime(new Model(datamodel), start, onCall);
            runtime.onTerminate = function (rt) { afterTerminate(rt.values["adl.nav.request"] || ""); };
            exposeApi(window, runtime);
            frame.src = sco.launch_url;
          }
        }).catch(function () {
          status("The activity could not be opened. Check the connection and reload the page.");
        });
      }, 50);
    }

    // Each SCO gets a freshly loaded relay page, which announces itself once it can take the state.
    var resolveReady = null;
    function expectRelay() {
      return new Promise(function (resolve) { resolveReady = resolve; });
    }

    function listenToRelay() {
      window.addEventListener("message", function (event) {
        if (event.origin !== cfg.content_origin || event.source !== frame.contentWindow) { return; }
        var msg = event.data || {};
        if (msg.type === "scorm-relay-ready") { if (resolveReady) { resolveReady(event.source); resolveReady = null; } }
        else if (msg.type === "scorm-call") { onCall(String(msg.method), String(msg.element || ""), String(msg.value || ""), !!msg.flush); }
        else if (msg.type === "scorm-terminated") { afterTerminate(String(msg.nav || "")); }
        else if (msg.type === "scorm-hidden") { persister.beacon(); }
      });
    }

    function wire() {
      document.getElementById("nav-prev").addEventListener("click", function () {
        if (cfg.sequencing) { requestNav("previous", null, true); return; }
        var v = visibleScos(), i = indexOf(current); if (i > 0) { open(v[i - 1].identifier); }
      });
      document.getElementById("nav-next").addEventListener("click", function () {
        if (cfg.sequencing) { requestNav("continue", null, true); return; }
        var v = visibleScos(), i = indexOf(current); if (i >= 0 && i < v.length - 1) { open(v[i + 1].identifier); }
      });
      var links = document.querySelectorAll("button[data-sco]");
      for (var k = 0; k < links.length; k++) {
        links[k].addEventListener("click", function (e) {
          var id = e.currentTarget.getAttribute("data-sco");
          if (cfg.sequencing) { requestNav("choice", id, true); } else { open(id); }
        });
      }
      document.addEventListener("visibilitychange", function () { if (document.visibilityState === "hidden") { persister.beacon(); } });
      window.addEventListener("pagehide", function () { persister.beacon(); });
      window.addEventListener("online", function () { persister.flush(); });
      setInterval(function () { persister.flush(); }, cfg.autosave_ms || 5000);
    }

    getJson(root.getAttribute("data-config-url")).then(function (config) {
      cfg = config;
      persister = new Persister(cfg.commit_url, "bridge-scorm-queue:" + cfg.attempt, status);
      window.bridgeScorm = { persister: persister, config: cfg };
      if (cfg.mode === "relay") { listenToRelay(); }
      wire();
      return getJson(cfg.datamodel_url);
    }).then(function (json) {
      datamodel = json;
      // Whatever an earlier page load could not send goes first, so the SCO resumes from it.
      return persister.flush();
    }).then(function () {
      if (cfg.sequencing) { return requestNav("launch"); }
      var first = cfg.current_sco && indexOf(cfg.current_sco) >= 0 ? cfg.current_sco : (visibleScos()[0] || {}).identifier;
      open(first);
    }).catch(function () {
      status("The player could not start. Check the connection and reload the page.");
    });
  }

  var root = document.getElementById("scorm-root");
  if (root && root.getAttribute("data-role") === "relay") { startRelay(root); }
  else if (root) { startPlayer(root); }
})();
