//! The page's components, each small and fed by the app state in context (Yew's
//! `function_todomvc` shape): [`App`] owns the reducer and the hooks; the others render and
//! dispatch.

mod app;
mod chart;
mod compare;
mod fields;
mod history;
mod input_images;
mod messages;
mod model_picker;
mod output_images;
mod own_prices;
mod results;
mod workload_form;

pub use app::App;

use yew::UseReducerHandle;

use crate::state::AppState;

/// The app state and its dispatcher, provided to every component.
pub type AppContext = UseReducerHandle<AppState>;
