/* Menu buttons (base.html, includes/partnership_nav.html): on a narrow screen the header links
 * and the partnership's navigation fold away behind a button. A disclosure: the button says
 * whether its menu is open (aria-expanded); Escape closes the menu and returns to the button.
 * Without this script the buttons stay hidden and every link shows. The CSS folds a menu only
 * below 48rem, so on a wide screen the links show whatever the button's state. Also: wide
 * tables that scroll sideways on a phone can take focus. */
(function () {
  "use strict";

  function setUp(button) {
    var menu = document.getElementById(button.getAttribute("aria-controls"));
    if (!menu) {
      return;
    }

    function set(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      menu.classList.toggle("menu-closed", !open);
    }

    function closeAndReturn(event) {
      // Only where the menu folds: on a wide screen the button is not shown.
      var shown = button.offsetParent !== null;
      if (event.key === "Escape" && shown && button.getAttribute("aria-expanded") === "true") {
        set(false);
        button.focus();
      }
    }

    set(false);
    button.hidden = false;
    button.addEventListener("click", function () {
      set(button.getAttribute("aria-expanded") !== "true");
    });
    button.addEventListener("keydown", closeAndReturn);
    menu.addEventListener("keydown", closeAndReturn);
  }

  // A table wider than a phone scrolls sideways (samverkan.css); one that scrolls takes focus
  // so that the arrow keys can scroll it too.
  function letWideTablesTakeFocus() {
    var tables = document.querySelectorAll("main table");
    for (var i = 0; i < tables.length; i += 1) {
      var table = tables[i];
      if (table.scrollWidth > table.clientWidth + 1) {
        table.setAttribute("tabindex", "0");
      } else if (table.getAttribute("tabindex") === "0") {
        table.removeAttribute("tabindex");
      }
    }
  }

  function start() {
    var buttons = document.querySelectorAll("[data-menu-toggle]");
    for (var i = 0; i < buttons.length; i += 1) {
      setUp(buttons[i]);
    }
    letWideTablesTakeFocus();
    window.addEventListener("resize", letWideTablesTakeFocus);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
