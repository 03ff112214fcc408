// The main screens reachable from the sidebar.
export type View = 'home' | 'summary' | 'shared' | 'card' | 'sharing' | 'emergency' | 'sync' | 'settings';
