"""Flask's signed-cookie session, opened at no cost for visitors who carry no session cookie."""
from flask.sessions import SecureCookieSessionInterface


class CookieSessionInterface(SecureCookieSessionInterface):
    """The signed-cookie session; without the cookie, the empty session is made without its signer.

    Building the signing serializer costs more than serving a cached public page, and most
    visitors of the public site never get a session cookie. Behaviour is otherwise Flask's own.
    """

    def open_session(self, app, request):
        """Return the request's session: an empty one at once when the request has no session cookie."""
        if app.secret_key and self.get_cookie_name(app) not in request.cookies:
            return self.session_class()
        return super().open_session(app, request)
