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
  var services = index.map(function (item) {
    return { article: document.getElementById(item[0]), link: links[item[0]],
             text: fold(item[1]) };
  });
  var sections = document.querySelectorAll("section.category");
  var categories = document.querySelectorAll("[data-category]");
  function filter() {
    var words = fold(box.value).split(/\s+/).filter(Boolean);
    var shown = 0;
    services.forEach(function (service) {
      var match = words.every(function (word) { return service.text.indexOf(word) !== -1; });
      service.article.hidden = !match;
      if (service.link) { service.link.hidden = !match; }
      if (match) { shown += 1; }
    });
    sections.forEach(function (section) {
      section.hidden = !section.querySelector("article.service:not([hidden])");
    });
    categories.forEach(function (item) {
      item.hidden = !item.querySelector("[data-entry]:not([hidden])");
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
