// The message form's answer suggestions (/hdjl/ly/new): while a citizen
// types the title and text, published 政策问答 entries matching them are
// shown below the text, so a question already answered need not be sent.
// The form works without this script: its "查找相关问答" button asks the
// server for the same list. Everything is built with textContent, never
// markup, and only links to this site are followed.
(function () {
  "use strict";
  var form = document.querySelector("form.ly-form");
  if (!form || !window.fetch) {
    return;
  }
  var title = form.querySelector("#f-title");
  var body = form.querySelector("#f-body");
  var region = document.getElementById("ly-suggest");
  if (!title || !body || !region) {
    return;
  }
  var timer = 0;
  var seq = 0;
  var shown = "";

  function local(href) {
    return typeof href === "string" && href.charAt(0) === "/" && href.charAt(1) !== "/" ? href : "";
  }

  function link(href, text) {
    var a = document.createElement("a");
    a.href = local(href) || "#";
    a.textContent = text;
    return a;
  }

  function render(items) {
    var ids = items.map(function (it) { return it.id; }).join(",");
    if (ids === shown) {
      return; // unchanged: do not make screen readers announce it again
    }
    shown = ids;
    while (region.firstChild) {
      region.removeChild(region.firstChild);
    }
    if (!items.length) {
      return;
    }
    var h = document.createElement("h2");
    h.id = "h-suggest";
    h.textContent = "以下解答可能有助于您";
    var ul = document.createElement("ul");
    ul.className = "suggest-list";
    ul.setAttribute("aria-labelledby", "h-suggest");
    items.forEach(function (it) {
      var li = document.createElement("li");
      li.appendChild(link(it.url, it.question));
      var p = document.createElement("p");
      p.textContent = it.excerpt;
      li.appendChild(p);
      if (it.policy && local(it.policy_url)) {
        var basis = document.createElement("p");
        basis.className = "hint";
        basis.appendChild(document.createTextNode("依据："));
        basis.appendChild(link(it.policy_url, it.policy));
        li.appendChild(basis);
      }
      ul.appendChild(li);
    });
    var note = document.createElement("p");
    note.className = "hint";
    note.textContent = "如果以上解答没有解决您的问题，请继续填写并提交留言。";
    region.appendChild(h);
    region.appendChild(ul);
    region.appendChild(note);
  }

  function lookup() {
    var text = (title.value + "\n" + body.value).trim().slice(0, 600);
    if (text.length < 4) {
      render([]);
      return;
    }
    var mine = ++seq;
    fetch("/hdjl/wd/suggest?q=" + encodeURIComponent(text), {
      headers: { Accept: "application/json" },
      credentials: "same-origin"
    }).then(function (r) {
      return r.ok ? r.json() : { items: [] };
    }).then(function (data) {
      if (mine === seq) {
        render(Array.isArray(data.items) ? data.items : []);
      }
    }).catch(function () {
      // Offline or refused: the button still works.
    });
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(lookup, 400);
  }

  title.addEventListener("input", schedule);
  body.addEventListener("input", schedule);
})();
