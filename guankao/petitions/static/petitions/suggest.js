// Smart dispatch on the call-taker's screen: as the case is typed, ask the API for the likely
// categories (one-click buttons with their confidence), the words that weighed most, similar
// past cases and possible duplicates. Choosing a suggestion sets the category select; the
// person always decides; a possible duplicate has a 併案 button that files the call into it.
// No inline script: the CSP forbids it. The panel's data-* attributes
// name the fields and carry the page's translated words.
document.addEventListener("DOMContentLoaded", function () {
  var panel = document.getElementById("dispatch-suggestions");
  if (!panel || !window.fetch) return;
  var form = panel.closest("form");
  var field = function (name) { return document.getElementById(panel.dataset[name]); };
  var text = field("text"), subject = field("subject"), select = field("select");
  var lat = field("lat"), lon = field("long"), shown = field("shown"), merge = field("merge");
  var part = function (role) { return panel.querySelector('[data-role="' + role + '"]'); };
  var timer = null, asked = 0;

  function item(parent, content, href) {
    var li = document.createElement("li");
    if (href) {
      var a = document.createElement("a");
      a.href = href; a.textContent = content.shift();
      li.appendChild(a); li.appendChild(document.createTextNode(" "));
    }
    li.appendChild(document.createTextNode(content.join(" · ")));
    parent.appendChild(li);
    return li;
  }

  function cases(role, rows, reasonKey) {
    var list = part(role), block = part(role + "-block");
    list.textContent = "";
    rows.forEach(function (c) {
      var bits = [c.case, c.subject, c.category, c.department || "—", c.status];
      if (reasonKey && c[reasonKey]) bits.push(c[reasonKey]);
      var li = item(list, bits, "/petitions/cases/" + c.id + "/");
      if (role === "duplicates" && merge) {
        // 併案: file this call and merge it into the earlier case (or mark it so, for the
        // officer to confirm); the page's own submit, so the form's checks all apply.
        var b = document.createElement("button");
        b.type = "submit"; b.name = "merge"; b.value = c.case;
        b.className = "merge-into"; b.textContent = panel.dataset.mergeText;
        b.addEventListener("click", function () { merge.value = c.case; });
        li.appendChild(document.createTextNode(" ")); li.appendChild(b);
      }
      if (c.reply) {
        var small = document.createElement("small");
        small.textContent = c.reply.length > 120 ? c.reply.slice(0, 119) + "…" : c.reply;
        li.appendChild(document.createElement("br")); li.appendChild(small);
      }
    });
    block.hidden = rows.length === 0;
  }

  function choose(button, code) {
    select.value = code;
    select.dispatchEvent(new Event("change"));
    part("choices").querySelectorAll("button").forEach(function (b) {
      b.setAttribute("aria-pressed", b === button ? "true" : "false");
    });
    part("status").textContent = panel.dataset.chosenText.replace("{name}", button.dataset.name);
  }

  function show(answer) {
    panel.hidden = false;
    if (shown) shown.value = answer.model.version;
    var m = answer.model;
    part("model").textContent = m.kind === "rules" ? panel.dataset.rulesText :
      panel.dataset.modelText.replace("{version}", m.version).replace("{cases}", m.cases)
        .replace("{top1}", Math.round(m.top1 * 100) + "%").replace("{top3}", Math.round(m.top3 * 100) + "%");
    var notes = part("notes");
    notes.textContent = "";
    answer.notes.forEach(function (n) {
      var p = document.createElement("p"); p.className = "suggestion-note"; p.textContent = n;
      notes.appendChild(p);
    });
    var choices = part("choices");
    choices.textContent = "";
    answer.categories.forEach(function (c) {
      var li = document.createElement("li"), b = document.createElement("button");
      b.type = "button";
      b.dataset.name = c.name;
      b.setAttribute("aria-pressed", select.value === c.code ? "true" : "false");
      b.textContent = c.name + "（" + c.department_name + "） ";
      var s = document.createElement("span"); s.className = "score";
      s.textContent = Math.round(c.score * 100) + "%";
      b.appendChild(s);
      b.addEventListener("click", function () { choose(b, c.code); });
      li.appendChild(b); choices.appendChild(li);
    });
    var words = part("words");
    words.textContent = "";
    answer.words.forEach(function (w) {
      var mark = document.createElement("mark"); mark.textContent = w.text;
      words.appendChild(mark); words.appendChild(document.createTextNode(" "));
    });
    part("words-line").hidden = answer.words.length === 0;
    cases("duplicates", answer.duplicates, "reason");
    cases("similar", answer.similar, null);
  }

  function problem(body) {
    var detail = body && body.detail;
    if (Array.isArray(detail)) return detail.map(function (d) { return d.message; }).join("; ");
    return panel.dataset.failedText;
  }

  function ask() {
    var words = (text.value || "").trim();
    if (words.length < 2) { panel.hidden = true; return; }
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    var body = { text: words.slice(0, 20000), subject: (subject.value || "").slice(0, 200) };
    if (lat && lon && lat.value && lon.value) { body.lat = lat.value; body.long = lon.value; }
    var mine = ++asked;
    fetch(panel.dataset.url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token ? token.value : "" },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      if (mine !== asked) return;  // a later request is on its way
      if (result.ok) { show(result.data); return; }
      panel.hidden = false;
      part("notes").textContent = problem(result.data);
    }).catch(function () {
      if (mine === asked) { panel.hidden = false; part("notes").textContent = panel.dataset.failedText; }
    });
  }

  form.addEventListener("submit", function (event) {
    if (merge && !(event.submitter && event.submitter.name === "merge")) merge.value = "";
  });

  function later() { clearTimeout(timer); timer = setTimeout(ask, 400); }
  [text, subject, lat, lon].forEach(function (el) { if (el) el.addEventListener("input", later); });
  if ((text.value || "").trim()) ask();
});
