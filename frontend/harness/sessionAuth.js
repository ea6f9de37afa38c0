// An auth service for hosts that authenticate with the LMS session (the demo LMS; the tests), in
// frontend-platform's AuthService interface (@edx/frontend-platform auth/interface.js). In the Open
// edX MFEs the platform's AxiosJwtAuthService is configured instead, and the widgets do not know
// the difference: they only call getAuthenticatedHttpClient().
import axios from 'axios';

const cookie = (name) => document.cookie.split('; ').find((row) => row.startsWith(`${name}=`))?.split('=')[1];

export default class SessionAuthService {
  constructor({ config }) {
    this.config = config;
    this.authenticatedUser = null;
    this.httpClient = axios.create();
    this.authenticatedHttpClient = axios.create({ withCredentials: true, xsrfCookieName: null });
    this.authenticatedHttpClient.interceptors.request.use((request) => {
      const token = cookie('csrftoken');
      if (token && !['get', 'head', 'options'].includes(request.method)) {
        request.headers['X-CSRFToken'] = token; // Django's CSRF check for POST with the session
      }
      return request;
    });
  }

  getAuthenticatedHttpClient() { return this.authenticatedHttpClient; }

  getHttpClient() { return this.httpClient; }

  getLoginRedirectUrl(redirectUrl = window.location.href) {
    return `${this.config.LOGIN_URL}?next=${encodeURIComponent(redirectUrl)}`;
  }

  redirectToLogin(redirectUrl) { window.location.assign(this.getLoginRedirectUrl(redirectUrl)); }

  getLogoutRedirectUrl() { return this.config.LOGOUT_URL; }

  redirectToLogout() { window.location.assign(this.getLogoutRedirectUrl()); }

  getAuthenticatedUser() { return this.authenticatedUser; }

  setAuthenticatedUser(user) { this.authenticatedUser = user; }

  async fetchAuthenticatedUser() { return this.authenticatedUser; }

  async ensureAuthenticatedUser() { return this.authenticatedUser; }

  async hydrateAuthenticatedUser() {}
}

/** frontend-platform's config keys the auth interface checks, for an LMS at `lms`. */
export const sessionConfig = (lms) => ({
  BASE_URL: window.location.origin,
  LMS_BASE_URL: lms,
  LOGIN_URL: `${lms}/login/`,
  LOGOUT_URL: `${lms}/logout/`,
  REFRESH_ACCESS_TOKEN_ENDPOINT: `${lms}/login_refresh`,
  ACCESS_TOKEN_COOKIE_NAME: 'edx-jwt-cookie-header-payload',
  CSRF_TOKEN_API_PATH: '/csrf/api/v1/token',
});
