/* Checklist progress for bulletin. Ticks are kept in this browser only
   (localStorage, one key per advisory and measure); nothing is ever sent.
   Without this script every page still shows the full checklist. */
(function () {
  'use strict';
  var store = null;
  try {
    store = window.localStorage;
    store.setItem('bulletin:probe', '1');
    store.removeItem('bulletin:probe');
  } catch (e) {
    store = null;
  }

  function storageKey(list, measure) {
    return 'bulletin:' + list + ':' + measure;
  }

  function visible(el) {
    return !el.closest('[hidden]');
  }

  function updateProgress(section) {
    var progress = section.querySelector('.progress');
    if (!progress) return;
    var boxes = Array.prototype.filter.call(section.querySelectorAll('input[data-measure]'), visible);
    var done = boxes.filter(function (b) { return b.checked; }).length;
    progress.textContent = progress.getAttribute('data-template')
      .replace('{done}', String(done))
      .replace('{total}', String(boxes.length));
    progress.hidden = false;
  }

  function setUp(section) {
    var list = section.getAttribute('data-checklist');
    section.querySelectorAll('input[data-measure]').forEach(function (box) {
      var key = storageKey(list, box.getAttribute('data-measure'));
      if (store && store.getItem(key) === '1') box.checked = true;
      box.addEventListener('change', function () {
        if (store) {
          if (box.checked) store.setItem(key, '1'); else store.removeItem(key);
        }
        updateProgress(section);
      });
    });
    /* What holds only with this script (ticks kept on this device) is said only with it. */
    section.querySelectorAll('.js-only').forEach(function (el) { el.hidden = false; });
    var print = section.querySelector('button.print');
    if (print) {
      print.hidden = false;
      print.addEventListener('click', function () { window.print(); });
    }
    updateProgress(section);
  }

  /* The standalone checklist: show only the measures of the picked data classes. */
  function setUpPicker(form) {
    var section = document.querySelector('[data-checklist]');
    if (!section) return;
    var choices = form.querySelectorAll('input[name="data"]');
    function apply() {
      var picked = {};
      var any = false;
      choices.forEach(function (c) { if (c.checked) { picked[c.value] = true; any = true; } });
      section.querySelectorAll('li[data-classes]').forEach(function (li) {
        var classes = li.getAttribute('data-classes').split(' ');
        li.hidden = any && !classes.some(function (c) { return picked[c]; });
      });
      section.querySelectorAll('ul.measures').forEach(function (ul) {
        var shown = Array.prototype.some.call(ul.children, function (li) { return !li.hidden; });
        ul.hidden = !shown;
        var heading = ul.previousElementSibling;
        if (heading && heading.tagName === 'H3') heading.hidden = !shown;
      });
      updateProgress(section);
    }
    var params = new URLSearchParams(window.location.search);
    var fromUrl = params.getAll('data');
    if (fromUrl.length) {
      choices.forEach(function (c) { c.checked = fromUrl.indexOf(c.value) !== -1; });
    }
    choices.forEach(function (c) { c.addEventListener('change', apply); });
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      apply();
      section.scrollIntoView();
    });
    apply();
  }

  function start() {
    document.querySelectorAll('[data-checklist]').forEach(setUp);
    var form = document.querySelector('form.picker');
    if (form) setUpPicker(form);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
