//! Input images: width × height and detail level per image, with the tokens the model's
//! published formula estimates for each.

use ratebook::format_count;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::AppContext;
use crate::state::{Action, ImagePart};
use crate::workload::{FieldErrors, image_field_id};

#[derive(Properties, PartialEq)]
pub struct InputImagesProps {
    pub errors: FieldErrors,
    pub tokens: Vec<Option<Result<u64, String>>>,
}

#[function_component(InputImages)]
pub fn input_images(p: &InputImagesProps) -> Html {
    let Some(state) = use_context::<AppContext>() else {
        return html! {};
    };
    let model = state
        .book
        .as_ref()
        .and_then(|b| b.resolve(&state.form.model).ok().cloned());
    let Some((scheme_name, scheme)) = model.as_ref().and_then(|m| m.image_scheme.clone()) else {
        return html! {};
    };
    let levels = scheme.levels();
    let add = {
        let d = state.dispatcher();
        Callback::from(move |_| d.dispatch(Action::AddInputImage))
    };
    let set = |index: usize, part: ImagePart| {
        let d = state.dispatcher();
        Callback::from(move |e: InputEvent| {
            d.dispatch(Action::SetInputImage {
                index,
                part,
                value: e.target_unchecked_into::<HtmlInputElement>().value(),
            })
        })
    };
    html! {
        <fieldset class="group">
            <legend>{ "Input images" }</legend>
            <p class="group-note">
                { format!("Tokens per image are estimated with the “{scheme_name}” formula; they are added to image input. The usage the provider reports is what is billed.") }
            </p>
            { for state.form.input_images.iter().enumerate().map(|(i, row)| {
                let (wid, hid, did) = (image_field_id(i, "width"), image_field_id(i, "height"), image_field_id(i, "detail"));
                let error = p.errors.get(&wid).or_else(|| p.errors.get(&hid)).cloned();
                let tokens = match p.tokens.get(i).cloned().flatten() {
                    Some(Ok(t)) => html! { <span class="image-tokens">{ format!("≈ {} tokens", format_count(t)) }</span> },
                    Some(Err(e)) => html! { <span class="image-tokens error">{ e }</span> },
                    None => html! {},
                };
                let on_detail = {
                    let d = state.dispatcher();
                    Callback::from(move |e: Event| d.dispatch(Action::SetInputImage {
                        index: i,
                        part: ImagePart::Detail,
                        value: e.target_unchecked_into::<HtmlSelectElement>().value(),
                    }))
                };
                let remove = {
                    let d = state.dispatcher();
                    Callback::from(move |_| d.dispatch(Action::RemoveInputImage(i)))
                };
                html! {
                    <div class={classes!("image-row", error.is_some().then_some("invalid"))}>
                        <div class="field small">
                            <label for={wid.clone()}>{ format!("Image {} width (px)", i + 1) }</label>
                            <input id={wid} type="text" inputmode="numeric" autocomplete="off" value={row.width.clone()} oninput={set(i, ImagePart::Width)} />
                        </div>
                        <span class="times" aria-hidden="true">{ "×" }</span>
                        <div class="field small">
                            <label for={hid.clone()}>{ "height (px)" }</label>
                            <input id={hid} type="text" inputmode="numeric" autocomplete="off" value={row.height.clone()} oninput={set(i, ImagePart::Height)} />
                        </div>
                        if !levels.is_empty() {
                            <div class="field small">
                                <label for={did.clone()}>{ "detail" }</label>
                                <select id={did} onchange={on_detail}>
                                    <option value="" selected={row.detail.is_empty()}>{ "default" }</option>
                                    { for levels.iter().map(|l| html! {
                                        <option value={l.clone()} selected={row.detail == *l}>{ l.clone() }</option>
                                    }) }
                                </select>
                            </div>
                        }
                        <div class="image-result">
                            { tokens }
                            <button type="button" class="button-quiet" onclick={remove} aria-label={format!("Remove image {}", i + 1)}>{ "Remove" }</button>
                        </div>
                        if let Some(e) = error {
                            <p class="field-note error">{ e }</p>
                        }
                    </div>
                }
            }) }
            <button type="button" class="button-secondary" onclick={add}>{ "+ Add an input image" }</button>
        </fieldset>
    }
}
