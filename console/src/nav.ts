/** Moves the console to a view: the URL's hash names it, so links can be shared and back works. */
export function navigate(path: string, params: Record<string, string> = {}): void {
  const q = new URLSearchParams(params).toString();
  location.hash = `#/${path}${q ? `?${q}` : ''}`;
}
