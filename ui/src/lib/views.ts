// The main screens reachable from the sidebar.
export type View = 'home' | 'shared' | 'card' | 'sharing' | 'sync' | 'settings';
