//! Generated images: one count per resolution the model can generate at the chosen date (and
//! only those), with the tokens each image is billed as.

use ratebook::{Date, Decimal, format_count, format_usd};
use yew::prelude::*;

use super::AppContext;
use super::fields::CountField;
use crate::state::Action;
use crate::workload::{FieldErrors, output_image_field_id};

#[derive(Properties, PartialEq)]
pub struct OutputImagesProps {
    pub errors: FieldErrors,
}

#[function_component(OutputImages)]
pub fn output_images(p: &OutputImagesProps) -> Html {
    let Some(state) = use_context::<AppContext>() else {
        return html! {};
    };
    let Some(book) = state.book.clone() else {
        return html! {};
    };
    let Ok(model) = book.resolve(&state.form.model) else {
        return html! {};
    };
    let Ok(date) = state.form.date.parse::<Date>() else {
        return html! {};
    };
    let Ok(entry) = model.price_at(date) else {
        return html! {};
    };
    // Smallest images first (by tokens), not alphabetically (`512px` after `4K`).
    let mut by_size: Vec<(&String, &u64)> = entry.output_image_tokens.iter().collect();
    ratebook::order::sort_by_key(&mut by_size, |(_, tokens)| **tokens);
    let mut resolutions: Vec<(String, String)> = by_size
        .into_iter()
        .map(|(res, tokens)| {
            let price = entry
                .rates
                .get(ratebook::Meter::OutputImage)
                .and_then(|r| {
                    r.checked_mul(Decimal::from(*tokens))?
                        .checked_div(Decimal::from(1_000_000u32))
                })
                .map(|each| format!(" ≈ {} each at standard rates", format_usd(each)))
                .unwrap_or_default();
            (
                res.clone(),
                format!("{} tokens per image{price}", format_count(*tokens)),
            )
        })
        .collect();
    resolutions.extend(
        entry
            .output_image_fees
            .iter()
            .filter(|(res, _)| !entry.output_image_tokens.contains_key(*res))
            .map(|(res, fee)| (res.clone(), format!("{} per image", format_usd(*fee)))),
    );
    if resolutions.is_empty() {
        return html! {};
    }
    html! {
        <fieldset class="group">
            <legend>{ "Generated images" }</legend>
            <p class="group-note">{ format!("{} bills each generated image as a fixed number of image-output tokens by resolution.", model.name) }</p>
            <div class="grid-fields">
                { for resolutions.into_iter().map(|(res, hint)| {
                    let id = output_image_field_id(&res);
                    let value = state.form.output_images.get(&res).cloned().unwrap_or_default();
                    let d = state.dispatcher();
                    let resolution = res.clone();
                    let on_input = Callback::from(move |count: String| d.dispatch(Action::SetOutputImages { resolution: resolution.clone(), count }));
                    html! {
                        <CountField
                            id={id.clone()}
                            label={format!("Images at {res}")}
                            value={value}
                            unit="images"
                            hint={AttrValue::from(hint)}
                            error={p.errors.get(&id).cloned()}
                            {on_input}
                        />
                    }
                }) }
            </div>
        </fieldset>
    }
}
