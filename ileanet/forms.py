"""What every app's views share about forms."""

from django.core.exceptions import ValidationError


def form_errors_add(form, error: ValidationError) -> None:
    """Show a service's ValidationError on ``form``: each error keyed by a field of the form
    beside that field, any other at the top of the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)
