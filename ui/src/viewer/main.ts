import { mount } from 'svelte';
import '../app.css';
import Viewer from './Viewer.svelte';

// The link is in the fragment, which the browser never sends to a server.
const viewer = mount(Viewer, { target: document.getElementById('viewer')!, props: { fragment: location.hash } });

export default viewer;
