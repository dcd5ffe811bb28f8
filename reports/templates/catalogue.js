(function () {
  "use strict";
  // Search as you type. Without scripts the page shows every service and no search box.
  var box = document.getElementById("search-box");
  var status = document.getElementById("search-status");
  var noMatch = document.getElementById("no-match");
  var index = JSON.parse(document.getElementById("search-index").textContent);
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  var links = {};
  document.querySelectorAll("[data-entry]").forEach(function (item) {
    links[item.getAttribute("data-entry")] = item;
  });
  var contents = {};
  document.querySelectorAll("[data-category]").forEach(function (item) {
    contents[item.getAttribute("data-category")] = item;
  });
  var services = index.map(function (item) {
    var article = document.getElementById(item[0]);
    return { article: article, link: links[item[0]], text: fold(item[1]),
             section: article.parentNode };
  });
  var sections = Array.prototype.slice.call(document.querySelectorAll("section.category"));
  function show(element, visible) {
    // Only what changes is touched: a catalogue of thousands filters without a stall.
    if (element && element.hidden === visible) { element.hidden = !visible; }
  }
  function filter() {
    var words = fold(box.value).split(/\s+/).filter(Boolean);
    var shown = 0;
    var open = new Set();
    services.forEach(function (service) {
      var match = words.every(function (word) { return service.text.indexOf(word) !== -1; });
      show(service.article, match);
      show(service.link, match);
      if (match) {
        shown += 1;
        open.add(service.section.id);
      }
    });
    sections.forEach(function (section) {
      var visible = open.has(section.id);
      show(section, visible);
      show(contents[section.id], visible);
    });
    noMatch.hidden = shown > 0;
    status.textContent = words.length === 0 ? "" : shown + " of " + services.length +
      (services.length === 1 ? " service matches " : " services match ") +
      "\u201c" + box.value.trim() + "\u201d.";
  }
  box.addEventListener("input", filter);
  document.getElementById("search").hidden = false;
  // A link can open the page already searched: service-catalogue.html?q=benefits
  var asked = new URLSearchParams(window.location.search).get("q");
  if (asked) {
    box.value = asked;
    filter();
  }
}());
