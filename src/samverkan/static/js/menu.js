/* Menu buttons (base.html, includes/partnership_nav.html): on a narrow screen the header links
 * and the partnership's navigation fold away behind a button. A disclosure: the button says
 * whether its menu is open (aria-expanded); Escape closes the menu and returns to the button.
 * Without this script the buttons stay hidden and every link shows. The CSS folds a menu only
 * below 48rem, so on a wide screen the links show whatever the button's state. */
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

  function start() {
    var buttons = document.querySelectorAll("[data-menu-toggle]");
    for (var i = 0; i < buttons.length; i += 1) {
      setUp(buttons[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
