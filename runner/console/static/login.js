// The login page: says when a token was wrong, and signs in at once with a token
// given after '#' (the address `agora console` prints; browsers never send that part).
const form = document.getElementById("login");
const field = document.getElementById("token");
if (new URLSearchParams(location.search).has("failed")) document.getElementById("failed").hidden = false;
const given = new URLSearchParams(location.hash.slice(1)).get("token");
if (given) {
  history.replaceState(null, "", "/login");
  field.value = given;
  form.submit();
}
