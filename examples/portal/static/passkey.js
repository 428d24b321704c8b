// Passkeys (WebAuthn) for the forms marked data-passkey: "create" makes a
// passkey, "get" uses one. The server renders the options masuk gave for
// the form into its data-options attribute ({"publicKey": {...}}); when
// the form is sent, this script hands them to the browser, puts the
// browser's answer (the credential's JSON) in the form's hidden field
// "response", and sends the form. It fetches nothing: the options are on
// the page, and a ceremony's state is in masuk or in the form. The CSP
// allows this file and no inline script.
//
// Where the browser cannot make or use passkeys, or the person cancels,
// the form is not sent and its data-passkey-status element says why, in
// the page's language (data-unsupported, data-failed). Without this
// script the form is sent empty, and the server says why instead.
(function () {
  "use strict";
  var PKC = window.PublicKeyCredential;
  var supported = !!(PKC && navigator.credentials &&
    typeof PKC.parseCreationOptionsFromJSON === "function" &&
    typeof PKC.parseRequestOptionsFromJSON === "function" &&
    typeof PKC.prototype.toJSON === "function");
  var forms = document.querySelectorAll("form[data-passkey]");
  Array.prototype.forEach.call(forms, function (form) {
    var status = form.querySelector("[data-passkey-status]");
    var busy = false;
    function say(attr) {
      if (!status) {
        return;
      }
      status.textContent = form.getAttribute(attr) || "";
      status.hidden = false;
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (busy) {
        return;
      }
      if (!supported) {
        say("data-unsupported");
        return;
      }
      var asked;
      try {
        var options = JSON.parse(form.getAttribute("data-options")).publicKey;
        asked = form.getAttribute("data-passkey") === "create" ?
          navigator.credentials.create({ publicKey: PKC.parseCreationOptionsFromJSON(options) }) :
          navigator.credentials.get({ publicKey: PKC.parseRequestOptionsFromJSON(options) });
      } catch (err) {
        say("data-failed");
        return;
      }
      busy = true;
      if (status) {
        status.hidden = true;
      }
      asked.then(function (credential) {
        form.elements.response.value = JSON.stringify(credential.toJSON());
        // submit() sends the form without this handler again.
        form.submit();
      }, function () {
        // Cancelled, timed out, refused by the device, or (for "create")
        // a passkey this device holds already.
        busy = false;
        say("data-failed");
      });
    });
  });
})();
