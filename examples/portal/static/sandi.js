// Show-password toggles, a progressive enhancement: every password field
// marked data-reveal gets a button that shows and hides what was typed.
// Without this script (or with script off) the fields work as they are.
// The button's words come from the page's body (data-show, data-hide), so
// that they are in the page's language; the CSP allows this file and no
// inline script.
(function () {
  "use strict";
  var body = document.body;
  var show = body.getAttribute("data-show") || "Show password";
  var hide = body.getAttribute("data-hide") || "Hide password";
  var fields = document.querySelectorAll("input[type=password][data-reveal]");
  Array.prototype.forEach.call(fields, function (input) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "reveal";
    button.setAttribute("aria-controls", input.id);
    button.setAttribute("aria-pressed", "false");
    button.textContent = show;
    button.addEventListener("click", function () {
      var shown = input.type === "password";
      input.type = shown ? "text" : "password";
      button.setAttribute("aria-pressed", shown ? "true" : "false");
      button.textContent = shown ? hide : show;
    });
    // In a box of its own, after the field: a form's own buttons stay
    // its only direct children that are buttons.
    var box = document.createElement("div");
    box.className = "reveal";
    box.appendChild(button);
    input.insertAdjacentElement("afterend", box);
  });
  // A form's password goes back to dots before it is sent, so that the
  // browser never offers to keep it as plain text.
  Array.prototype.forEach.call(document.forms, function (form) {
    form.addEventListener("submit", function () {
      Array.prototype.forEach.call(form.querySelectorAll("input[data-reveal]"), function (input) {
        input.type = "password";
      });
    });
  });
})();
