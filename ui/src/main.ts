import { mount } from "svelte";
import App from "./App.svelte";
import "./app.css";
import { automerge } from "./lib/automerge";

// Compile Automerge while the garden loads: the editor needs it first thing.
automerge();

const target = document.getElementById("app");
if (target) mount(App, { target });
