import { useCallback, useEffect, useState } from 'react';

/**
 * A request's state for a widget: { state: 'loading' | 'error' | 'done', data, error, retry, replace }.
 * `load` is called again when a dependency changes or `retry()` is called; an answer arriving after
 * the widget left the page, or after a newer request, is dropped.
 */
export default function useRemote(load, deps) {
  const [result, setResult] = useState({ state: 'loading', data: null, error: null });
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let current = true;
    setResult({ state: 'loading', data: null, error: null });
    Promise.resolve()
      .then(load)
      .then((data) => { if (current) { setResult({ state: 'done', data, error: null }); } })
      .catch((error) => { if (current) { setResult({ state: 'error', data: null, error }); } });
    return () => { current = false; };
  }, [...deps, attempt]); // eslint-disable-line react-hooks/exhaustive-deps
  const retry = useCallback(() => setAttempt((n) => n + 1), []);
  const replace = useCallback((data) => setResult({ state: 'done', data, error: null }), []);
  return { ...result, retry, replace };
}
