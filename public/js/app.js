// Progressive enhancement only: every form works without this file.
// With it, "Add to cart" posts in the background, updates the header badge and shows a short message.
(function () {
  'use strict';

  var toastTimer;
  function toast(message, isError) {
    var el = document.getElementById('toast');
    if (!el) return;
    el.textContent = message;
    el.className = isError ? 'toast toast-error' : 'toast';
    el.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { el.hidden = true; }, 4000);
  }

  function setCartCount(count) {
    var badges = document.querySelectorAll('[data-cart-count]');
    for (var i = 0; i < badges.length; i++) {
      badges[i].textContent = String(count);
      badges[i].setAttribute('data-cart-count', String(count));
      badges[i].setAttribute('aria-label', count + (count === 1 ? ' item' : ' items') + ' in your cart');
    }
  }

  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-add-to-cart')) return;
    if (!window.fetch || !window.URLSearchParams) return;
    event.preventDefault();
    var button = form.querySelector('button[type="submit"]');
    if (button) button.disabled = true;
    fetch(form.action, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(new FormData(form)).toString()
    })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      })
      .then(function (result) {
        if (result.ok) {
          setCartCount(result.body.cartCount);
          toast(result.body.message, false);
        } else {
          toast(result.body.error ? result.body.error.message : 'Sorry, that did not work.', true);
        }
      })
      .catch(function () {
        // The network or the server let us down: fall back to a normal form post.
        form.submit();
      })
      .finally(function () {
        if (button) button.disabled = false;
      });
  });
})();
